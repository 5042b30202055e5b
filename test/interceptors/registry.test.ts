import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { renderSchema } from '../../src/config/schema.ts';
import { withTransaction } from '../../src/core/channel.ts';
import type { Event } from '../../src/core/event.ts';
import { chain } from '../../src/core/interceptor.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { interceptors } from '../../src/interceptors/registry.ts';
import { bodies } from '../helpers/components.ts';
import { build, ev, problems } from './build.ts';

const flumeClasses: [string, string][] = [
  ['org.apache.flume.interceptor.TimestampInterceptor$Builder', 'timestamp'],
  ['org.apache.flume.interceptor.HostInterceptor$Builder', 'host'],
  ['org.apache.flume.interceptor.StaticInterceptor$Builder', 'static'],
  ['org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder', 'remove_header'],
  ['org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder', 'uuid'],
  ['org.apache.flume.interceptor.RegexFilteringInterceptor$Builder', 'regex_filter'],
  ['org.apache.flume.interceptor.RegexExtractorInterceptor$Builder', 'regex_extractor'],
  ['org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder', 'search_replace'],
];

describe('interceptor registry', () => {
  test("every Flume $Builder class name resolves to its interceptor", () => {
    for (const [cls, type] of flumeClasses) assert.equal(interceptors.lookup(cls)?.type, type, cls);
  });

  test('short names resolve in any case, uuid included', () => {
    for (const [, type] of flumeClasses) {
      assert.equal(interceptors.lookup(type.toUpperCase())?.type, type);
      assert.equal(interceptors.lookup(type)?.type, type);
    }
  });

  test('an interceptor class name without $Builder is refused, as Flume cannot load it either', () => {
    const { errors } = problems({ i1: { type: 'org.apache.flume.interceptor.TimestampInterceptor' } });
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_UNKNOWN_TYPE');
  });

  test('the docs table shows regex defaults in Java syntax and the serializers.* keys', () => {
    assert.match(renderSchema(interceptors.lookup('remove_header')!.options), /`\\s\*,\\s\*`/);
    assert.match(renderSchema(interceptors.lookup('regex_extractor')!.options), /\| `serializers\.\*` \| prefix/);
  });
});

describe('interceptor chains', () => {
  test('run in the listed order, each dropping events the next never sees', async () => {
    const seen: string[][] = [];
    const spy = {
      intercept(events: Event[]): Event[] {
        seen.push(bodies(events));
        return events;
      },
    };
    const c = chain([await build('regex_filter', { regex: '[02468]$' }), spy, await build('regex_filter', { regex: '^1', excludeEvents: 'true' }), spy])!;
    const out = c.intercept(['1', '2', '10', '12', '24', '7'].map((b) => ev(b)));
    assert.deepEqual(bodies(out), ['2', '24']);
    assert.deepEqual(seen, [['2', '10', '12', '24'], ['2', '24']]);
  });

  test('stop at the first interceptor that drops the whole batch', async () => {
    let called = false;
    const next = {
      intercept(events: Event[]): Event[] {
        called = true;
        return events;
      },
    };
    const c = chain([await build('regex_filter', { excludeEvents: 'true' }), next])!;
    assert.deepEqual(c.intercept([ev('a')]), []);
    assert.equal(called, false);
  });

  test('an agent runs a configured chain: seq → interceptors → memory channel, with the headers set', async () => {
    const text = `
a1.sources = r1
a1.channels = c1
a1.sources.r1.type = seq
a1.sources.r1.totalEvents = 20
a1.sources.r1.batchSize = 10
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = drop ts host dc id ex rm
a1.sources.r1.interceptors.drop.type = regex_filter
a1.sources.r1.interceptors.drop.regex = ^1\\\\d$
a1.sources.r1.interceptors.drop.excludeEvents = true
a1.sources.r1.interceptors.ts.type = org.apache.flume.interceptor.TimestampInterceptor$Builder
a1.sources.r1.interceptors.host.type = HOST
a1.sources.r1.interceptors.dc.type = static
a1.sources.r1.interceptors.dc.key = datacenter
a1.sources.r1.interceptors.dc.value = NYC
a1.sources.r1.interceptors.id.type = uuid
a1.sources.r1.interceptors.ex.type = regex_extractor
a1.sources.r1.interceptors.ex.regex = (\\\\d)$
a1.sources.r1.interceptors.ex.serializers = last
a1.sources.r1.interceptors.ex.serializers.last.name = lastDigit
a1.sources.r1.interceptors.rm.type = remove_header
a1.sources.r1.interceptors.rm.withName = id
a1.channels.c1.type = memory
`;
    const agent = new Agent(loadConfig({ files: ['agent.properties'], agent: 'a1', text }), { logger: silentLogger });
    const before = Date.now();
    await agent.start();
    try {
      const channel = agent.running!.channels.get('c1')!;
      for (let i = 0; i < 100 && channel.size() < 10; i++) await delay(20);
      const got = await withTransaction(channel.beginTake(), (tx) => tx.take(100));
      assert.deepEqual(bodies(got), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], 'events 10–19 were dropped by the filter');
      for (const e of got) {
        assert.deepEqual(Object.keys(e.headers).sort(), ['datacenter', 'host', 'lastDigit', 'timestamp']);
        assert.equal(e.headers['datacenter'], 'NYC');
        assert.equal(e.headers['lastDigit'], e.body.toString());
        assert.ok(isIP(e.headers['host']!) !== 0);
        assert.ok(Number(e.headers['timestamp']) >= before);
      }
    } finally {
      await agent.stop(0);
    }
  });
});
