import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTime, MissingTimestamp, PathTemplate, ZoneClock } from '../../../src/sinks/hdfs/path.ts';

const host = { localhost: 'web1', ip: '10.1.2.3', fqdn: 'web1.example.com' };
// 2023-11-14T22:13:20.123Z
const TS = 1700000000123;

function render(template: string, headers: Record<string, string>, zone = 'UTC', ms = TS): string {
  const clock = new ZoneClock(zone);
  return new PathTemplate(template, host).render(headers, ms, clock, headers['timestamp']);
}

describe('HDFS path escapes', () => {
  it('formats every time escape in the configured zone as Flume documents them', () => {
    const out = render('%Y %y %m %n %d %e %H %k %I %l %M %S %j %a %A %b %B %D %p %s %z %t %%', { timestamp: String(TS) });
    assert.equal(out, `2023 23 11 11 14 14 22 22 10 10 13 20 318 Tue Tuesday Nov November 11/14/23 PM 1700000000 +0000 ${TS} %`);
  });

  it('formats %c as Flume does (EEE MMM d HH:mm:ss yyyy)', () => {
    assert.equal(render('%c', {}, 'UTC', Date.UTC(2005, 2, 3, 23, 5, 25)), 'Thu Mar 3 23:05:25 2005');
  });

  it('applies hdfs.timeZone, including zones with half-hour offsets', () => {
    assert.equal(render('%Y-%m-%d/%H%M %z', {}, 'Asia/Kolkata'), '2023-11-15/0343 +0530');
    assert.equal(render('%Y-%m-%d/%H %z', {}, 'America/Los_Angeles'), '2023-11-14/14 -0800');
  });

  it('replaces %{header} with its value and a missing header with nothing', () => {
    assert.equal(render('/logs/%{topic}/%{no.such-header}/x', { topic: 'clicks' }), '/logs/clicks//x');
  });

  it('replaces the host escapes in any case and refuses unknown ones', () => {
    assert.equal(render('%[localhost]-%[IP]-%[fqdn]', {}), 'web1-10.1.2.3-web1.example.com');
    assert.throws(() => new PathTemplate('%[cpu]', host), /localhost/);
  });

  it('renders an unknown single-letter escape as nothing, as Flume does', () => {
    assert.equal(render('a%Qb', {}), 'ab');
  });

  it('matches every rendering with its pattern', () => {
    const t = new PathTemplate('events-%{host}-%Y', host);
    assert.match('events-web7-2024', new RegExp(`^${t.pattern()}$`));
    assert.doesNotMatch('other-web7-2024', new RegExp(`^${t.pattern()}$`));
  });
});

describe('HDFS event time and rounding', () => {
  const clock = new ZoneClock('UTC');
  const base = { timeZone: 'UTC', useLocalTimeStamp: false };

  it('rounds down to a multiple of seconds, minutes or hours', () => {
    const h = { timestamp: String(Date.UTC(2023, 10, 14, 22, 47, 38, 500)) };
    assert.equal(eventTime(h, { ...base, round: { unit: 'second', value: 10 } }, clock, 0), Date.UTC(2023, 10, 14, 22, 47, 30));
    assert.equal(eventTime(h, { ...base, round: { unit: 'minute', value: 15 } }, clock, 0), Date.UTC(2023, 10, 14, 22, 45));
    assert.equal(eventTime(h, { ...base, round: { unit: 'hour', value: 6 } }, clock, 0), Date.UTC(2023, 10, 14, 18));
  });

  it('rounds hours in the configured zone, not in UTC', () => {
    const kolkata = new ZoneClock('Asia/Kolkata');
    // 22:47 UTC is 04:17 in Kolkata; rounding to 6 hours gives 00:00 local, 18:30 UTC the day before.
    const h = { timestamp: String(Date.UTC(2023, 10, 14, 22, 47)) };
    assert.equal(eventTime(h, { timeZone: 'Asia/Kolkata', useLocalTimeStamp: false, round: { unit: 'hour', value: 6 } }, kolkata, 0), Date.UTC(2023, 10, 14, 18, 30));
  });

  it('uses the agent clock with useLocalTimeStamp and ignores the header', () => {
    assert.equal(eventTime({ timestamp: 'garbage' }, { ...base, useLocalTimeStamp: true, round: undefined }, clock, 42_000), 42_000);
  });

  it('refuses a missing or non-numeric timestamp header', () => {
    assert.throws(() => eventTime({}, { ...base, round: undefined }, clock, 0), MissingTimestamp);
    assert.throws(() => eventTime({ timestamp: '12:00' }, { ...base, round: undefined }, clock, 0), /not a number/);
  });
});
