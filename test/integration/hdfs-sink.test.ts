// The hdfs sink against a real HDFS (MiniDFSCluster over WebHDFS): rolling by count, size, interval and
// idleness, escapes with rounding and time zones, events without a timestamp, and recovery of in-use
// files that an earlier run left behind. Files are read back with Hadoop's own FsShell.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Channel } from '../../src/core/channel.ts';
import type { Sink } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import type { SinkCounter } from '../../src/core/metrics.ts';
import { hdfsSink } from '../../src/sinks/hdfs/index.ts';
import { LENGTH_XATTR } from '../../src/sinks/hdfs/bucket-writer.ts';
import { WebHdfs } from '../../src/sinks/hdfs/webhdfs.ts';
import { memory } from '../helpers/components.ts';
import { options, sinkContext } from '../helpers/configure.ts';
import { type HdfsPeer, showPeerLogsOnFailure, startHdfs } from '../helpers/peers.ts';

showPeerLogsOnFailure();

let hdfs: HdfsPeer;
let fs: WebHdfs;
before(async () => {
  hdfs = await startHdfs();
  fs = new WebHdfs({ urls: [hdfs.httpUrl], timeoutMs: 30_000 });
}, { timeout: 10 * 60_000 });
after(async () => {
  fs?.close();
  await hdfs?.stop();
});

interface Running {
  sink: Sink;
  channel: Channel;
  counter: SinkCounter;
}

function makeSink(props: Record<string, string>): Running {
  const channel = memory('c1', 10_000, 1000);
  const ctx = sinkContext(channel);
  const all = { 'hdfs.webhdfs.url': hdfs.httpUrl, 'hdfs.fileType': 'DataStream', 'hdfs.batchesPerWrite': '1', ...props };
  return { sink: hdfsSink.create(options(hdfsSink, all), ctx), channel, counter: ctx.counter };
}

async function put(channel: Channel, events: Event[]): Promise<void> {
  const tx = channel.beginPut();
  tx.put(events, null);
  await tx.commit();
}

/** Runs the sink until `n` events in all were committed (or one failed). */
async function drain(r: Running, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (r.counter.drainSuccess < n) {
    assert.ok(Date.now() < deadline, `only ${r.counter.drainSuccess} of ${n} events were delivered`);
    await r.sink.process();
  }
}

const lines = (from: number, n: number, headers: Record<string, string> = {}): Event[] =>
  Array.from({ length: n }, (_, i) => ({ headers, body: Buffer.from(`line ${from + i}`) }));

async function files(dir: string): Promise<string[]> {
  return (await fs.list(dir)).map((s) => s.pathSuffix).sort();
}

describe('hdfs sink rolling', { timeout: 180_000 }, () => {
  test('rolls after hdfs.rollCount events, one closed file per 100 events', async () => {
    const r = makeSink({ 'hdfs.path': '/roll/count', 'hdfs.rollCount': '100', 'hdfs.rollSize': '0', 'hdfs.batchSize': '250' });
    await r.sink.start();
    await put(r.channel, lines(0, 1000));
    await drain(r, 1000);
    await r.sink.stop();
    const names = await files('/roll/count');
    assert.equal(names.length, 10);
    for (const n of names) assert.match(n, /^FlumeData\.\d{13}$/);
    const text = await hdfs.readText('/roll/count/FlumeData.*');
    assert.deepEqual(text.trim().split('\n').sort(), lines(0, 1000).map((e) => e.body.toString()).sort());
    const first = await hdfs.readText(`/roll/count/${names[0]}`);
    assert.equal(first.trim().split('\n').length, 100);
  });

  test('rolls once the body bytes reach hdfs.rollSize', async () => {
    const r = makeSink({ 'hdfs.path': '/roll/size', 'hdfs.rollCount': '0', 'hdfs.rollSize': '1000', 'hdfs.batchSize': '100' });
    await r.sink.start();
    // 100-byte bodies: a file takes 10 events (1000 bytes) before the check before the 11th rolls it.
    await put(r.channel, Array.from({ length: 50 }, (_, i) => ({ headers: {}, body: Buffer.from(String(i).padStart(100, '.')) })));
    await drain(r, 50);
    await r.sink.stop();
    const st = await fs.list('/roll/size');
    assert.equal(st.length, 5);
    for (const s of st) assert.equal(s.length, 1010);
  });

  test('closes a file hdfs.rollInterval seconds after opening it, and the next event opens a new one', async () => {
    const r = makeSink({ 'hdfs.path': '/roll/interval', 'hdfs.rollInterval': '3', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0' });
    await r.sink.start();
    await put(r.channel, lines(0, 10));
    await drain(r, 10);
    assert.deepEqual((await files('/roll/interval')).filter((n) => n.endsWith('.tmp')).length, 1);
    await delay(3500);
    const closed = await files('/roll/interval');
    assert.equal(closed.length, 1);
    assert.doesNotMatch(closed[0]!, /\.tmp$/);
    await put(r.channel, lines(10, 10));
    await drain(r, 20);
    await r.sink.stop();
    assert.equal((await files('/roll/interval')).length, 2);
  });

  test('closes a file hdfs.idleTimeout seconds after its last write', async () => {
    const r = makeSink({ 'hdfs.path': '/roll/idle', 'hdfs.idleTimeout': '3', 'hdfs.rollInterval': '0', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0' });
    await r.sink.start();
    await put(r.channel, lines(0, 5));
    await drain(r, 5);
    await delay(1000);
    await put(r.channel, lines(5, 5));
    await drain(r, 10);
    assert.match((await files('/roll/idle'))[0]!, /\.tmp$/, 'a write within the timeout keeps the file open');
    await delay(3500);
    const names = await files('/roll/idle');
    assert.equal(names.length, 1);
    assert.doesNotMatch(names[0]!, /\.tmp$/);
    assert.equal((await hdfs.readText(`/roll/idle/${names[0]}`)).trim().split('\n').length, 10);
    await r.sink.stop();
  });
  test('closes the least recently used file once more than hdfs.maxOpenFiles are open', async () => {
    const r = makeSink({ 'hdfs.path': '/lru/%{k}', 'hdfs.maxOpenFiles': '2', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0', 'hdfs.rollInterval': '0' });
    await r.sink.start();
    await put(r.channel, [...lines(0, 1, { k: 'a' }), ...lines(1, 1, { k: 'b' })]);
    await drain(r, 2);
    await put(r.channel, lines(2, 1, { k: 'c' }));
    await drain(r, 3);
    const closedA = async () => !(await files('/lru/a'))[0]!.endsWith('.tmp');
    const deadline = Date.now() + 30_000;
    while (!(await closedA())) {
      assert.ok(Date.now() < deadline, 'the eldest bucket was never closed');
      await delay(200);
    }
    assert.match((await files('/lru/b'))[0]!, /\.tmp$/);
    assert.match((await files('/lru/c'))[0]!, /\.tmp$/);
    await r.sink.stop();
    assert.doesNotMatch((await files('/lru/c'))[0]!, /\.tmp$/);
  });
});

describe('hdfs sink escapes', { timeout: 120_000 }, () => {
  test('builds directories and prefixes from headers and rounded times in hdfs.timeZone', async () => {
    const r = makeSink({
      'hdfs.path': 'hdfs://ignored:8020/esc/%{topic}/%Y-%m-%d/%H',
      'hdfs.filePrefix': 'ev-%H%M-%[localhost]',
      'hdfs.timeZone': 'America/New_York',
      'hdfs.round': 'true',
      'hdfs.roundValue': '15',
      'hdfs.roundUnit': 'minute',
      'hdfs.rollCount': '0',
      'hdfs.rollSize': '0',
      'hdfs.inUseSuffix': '.open',
      'hdfs.fileSuffix': '.log',
    });
    await r.sink.start();
    // 2023-11-14 22:47:38 UTC is 17:47 in New York, rounded to 17:45.
    const ts = String(Date.UTC(2023, 10, 14, 22, 47, 38));
    await put(r.channel, [...lines(0, 3, { topic: 'clicks', timestamp: ts }), ...lines(3, 2, { topic: 'views', timestamp: ts })]);
    await drain(r, 5);
    const open = await files('/esc/clicks/2023-11-14/17');
    assert.equal(open.length, 1);
    assert.match(open[0]!, /^ev-1745-.+\.\d{13}\.log\.open$/);
    await r.sink.stop();
    const [closed] = await files('/esc/clicks/2023-11-14/17');
    assert.match(closed!, /^ev-1745-.+\.\d{13}\.log$/);
    assert.equal((await hdfs.readText('/esc/views/2023-11-14/17/*')).trim(), 'line 3\nline 4');
  });

  test('fails a batch whose event has no timestamp, naming the header, and keeps it in the channel', async () => {
    const r = makeSink({ 'hdfs.path': '/nots/%Y' });
    await r.sink.start();
    await put(r.channel, lines(0, 3));
    await assert.rejects(
      async () => {
        for (let i = 0; i < 3; i++) await r.sink.process();
      },
      (err: Error) => /"timestamp" header is missing/.test(err.message) && /hdfs.fallbackPath/.test(err.message),
    );
    assert.equal(r.channel.size(), 3);
    await r.sink.stop();
  });

  test('routes events without a timestamp to hdfs.fallbackPath when it is set', async () => {
    const r = makeSink({ 'hdfs.path': '/fb/%Y', 'hdfs.fallbackPath': '/fb/unknown-time' });
    await r.sink.start();
    await put(r.channel, [...lines(0, 2), ...lines(2, 1, { timestamp: String(Date.UTC(2020, 0, 1)) })]);
    await drain(r, 3);
    await r.sink.stop();
    assert.equal((await hdfs.readText('/fb/unknown-time/*')).trim(), 'line 0\nline 1');
    assert.equal((await hdfs.readText('/fb/2020/*')).trim(), 'line 2');
  });
});

describe('hdfs sink recovery', { timeout: 120_000 }, () => {
  test('cuts back, renames or deletes the in-use files an earlier run left, on start', async () => {
    // A torn write: 12 confirmed bytes, then part of an unconfirmed batch.
    await fs.create('/rec/FlumeData.1700000000001.tmp', [Buffer.from('confirmed 1\nunconfirm')], true);
    await fs.setXAttr('/rec/FlumeData.1700000000001.tmp', LENGTH_XATTR, '12', false);
    // Created, but no write was ever confirmed.
    await fs.create('/rec/FlumeData.1700000000002.tmp', [Buffer.from('never confirmed\n')], true);
    await fs.setXAttr('/rec/FlumeData.1700000000002.tmp', LENGTH_XATTR, '0', false);
    // Written by another program (no xattr): renamed as it is.
    await fs.create('/rec/FlumeData.1700000000003.tmp', [Buffer.from('flume wrote this\n')], true);
    // Not this sink's name pattern: left alone.
    await fs.create('/rec/other.tmp', [Buffer.from('x')], true);
    const r = makeSink({ 'hdfs.path': '/rec' });
    await r.sink.start();
    const deadline = Date.now() + 30_000;
    while ((await files('/rec')).some((n) => n.startsWith('FlumeData') && n.endsWith('.tmp'))) {
      assert.ok(Date.now() < deadline, `still in use: ${(await files('/rec')).join(', ')}`);
      await delay(200);
    }
    await r.sink.stop();
    assert.deepEqual(await files('/rec'), ['FlumeData.1700000000001', 'FlumeData.1700000000003', 'other.tmp']);
    // The truncation finishes with a block recovery; the NameNode reports the new length once it is done.
    while ((await fs.status('/rec/FlumeData.1700000000001'))!.length !== 12) {
      assert.ok(Date.now() < deadline + 30_000, 'the cut-back file never reached its recorded length');
      await delay(500);
    }
    assert.equal(await hdfs.readText('/rec/FlumeData.1700000000001'), 'confirmed 1\n');
    assert.equal(await hdfs.readText('/rec/FlumeData.1700000000003'), 'flume wrote this\n');
  });
});
