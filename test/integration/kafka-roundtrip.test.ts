/**
 * Kafka sink and source against a real Kafka 4.1 broker, checked from both sides: Sluice → Sluice round
 * trips, and Kafka's own Java console clients reading what the sink wrote or writing what the source
 * reads (keys, partitions, timestamps, record headers, every compression codec).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import type { Event } from '../../src/core/event.ts';
import { sendThroughSink, startSource, until } from '../helpers/kafka.ts';
import { type KafkaPeer, showPeerLogsOnFailure, startKafka } from '../helpers/peers.ts';
import { classpath, runJava } from '../helpers/peers/java.ts';

let kafka: KafkaPeer;
showPeerLogsOnFailure();
before(async () => {
  kafka = await startKafka();
});
after(() => kafka?.stop());

const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
const verbose = ['print.key', 'print.partition', 'print.timestamp', 'print.headers'].flatMap((p) => ['--property', `${p}=true`]);

interface Printed {
  timestamp: string;
  partition: number;
  headers: string;
  key: string;
  value: string;
}

/** Reads a topic with Kafka's ConsoleConsumer, printing timestamp, partition, headers and key too. */
async function javaRead(topic: string, count: number): Promise<Printed[]> {
  const lines = await kafka.consume(topic, count, { extraArgs: verbose });
  return lines.map((l) => {
    const [ts, p, headers, key, ...value] = l.split('\t');
    return { timestamp: ts!.replace('CreateTime:', ''), partition: Number(p!.replace('Partition:', '')), headers: headers!, key: key!, value: value.join('\t') };
  });
}

const source = (topic: string, extra: Record<string, string | number | boolean> = {}) =>
  startSource({
    'kafka.bootstrap.servers': kafka.bootstrap,
    'kafka.topics': topic,
    'kafka.consumer.group.id': `g-${topic}`,
    'kafka.consumer.auto.offset.reset': 'earliest',
    ...extra,
  });

const sink = (topic: string, events: Event[], extra: Record<string, string | number | boolean> = {}, type?: string) =>
  sendThroughSink({ 'kafka.bootstrap.servers': kafka.bootstrap, 'kafka.topic': topic, ...extra }, events, type);

test('raw bodies and keys make the round trip, and keyed records land on the partitions Java picks', async () => {
  await kafka.createTopic('rt-raw', 3);
  await kafka.createTopic('rt-java-keys', 3);
  const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
  await sink('rt-raw', keys.map((k, i) => ({ headers: { key: k, dropped: 'x' }, body: Buffer.from(`body-${i}`) })), {}, 'kafka');
  await kafka.produce('rt-java-keys', keys.map((k) => `${k}|v`), ['--property', 'parse.key=true', '--property', 'key.separator=|']);
  const java = new Map((await javaRead('rt-java-keys', 40)).map((r) => [r.key, r.partition]));
  const ours = await javaRead('rt-raw', 40);
  assert.equal(ours.length, 40);
  for (const r of ours) {
    assert.equal(r.partition, java.get(r.key), `partition of key ${r.key}`);
    assert.equal(r.headers, 'NO_HEADERS', 'Flume headers other than the mapped ones are not written');
  }
  assert.equal(new Set(ours.map((r) => r.partition)).size, 3, 'the keys spread over all partitions');

  const run = await source('rt-raw');
  const got = await run.waitFor(40);
  await run.stop();
  assert.equal(got.length, 40);
  for (const e of got) {
    const i = Number(e.body.toString().slice(5));
    assert.equal(e.headers['key'], keys[i]);
    assert.equal(Number(e.headers['partition']), java.get(keys[i]!));
    assert.equal(e.headers['topic'], 'rt-raw');
    assert.match(e.headers['offset']!, /^\d+$/);
    assert.ok(Math.abs(Number(e.headers['timestamp']) - Date.now()) < 120_000, 'timestamp is the record time');
    assert.equal(e.headers['dropped'], undefined);
  }
});

test('with useFlumeEventFormat on both ends every header and binary body survives, and the event keeps its own topic header', async () => {
  await kafka.createTopic('rt-flume', 2);
  const events: Event[] = Array.from({ length: 300 }, (_, i) => ({
    headers: { n: String(i), host: 'hôte-1', empty: '', ...(i % 3 === 0 ? { key: `k${i % 7}` } : {}) },
    body: randomBytes(i % 50),
  }));
  await sink('rt-flume', events, { useFlumeEventFormat: true, allowTopicOverride: false, topicHeader: 'unused' });
  const run = await source('rt-flume', { useFlumeEventFormat: true });
  const got = await run.waitFor(300);
  await run.stop();
  const byN = new Map(got.map((e) => [e.headers['n'], e]));
  assert.equal(byN.size, 300);
  for (const [i, sent] of events.entries()) {
    const e = byN.get(String(i))!;
    assert.ok(e.body.equals(sent.body), `body of event ${i}`);
    assert.equal(e.headers['host'], 'hôte-1');
    assert.equal(e.headers['empty'], '');
    assert.equal(e.headers['key'], sent.headers['key']);
    assert.equal(e.headers['topic'], 'rt-flume');
  }
});

test('topic header, partition header, defaultPartitionId, timestampHeader and header mapping reach Kafka as Java sees them', async () => {
  await kafka.createTopic('rt-route-a', 3);
  await kafka.createTopic('rt-route-b', 3);
  const events: Event[] = [
    { headers: { topic: 'rt-route-b', p: '2', ts: '1700000000123', trace: 't-1' }, body: Buffer.from('to-b-2') },
    { headers: { dc: 'a' }, body: Buffer.from('to-a-default') },
    { headers: { dc: 'a', p: '0', ts: 'not-a-time' }, body: Buffer.from('to-a-0') },
  ];
  const extra = { defaultPartitionId: 1, partitionIdHeader: 'p', timestampHeader: 'ts', 'header.trace': 'trace-id' };
  await sink('rt-route-%{dc}', events, extra);
  const [b] = await javaRead('rt-route-b', 1);
  assert.deepEqual(b, { timestamp: '1700000000123', partition: 2, headers: 'trace-id:t-1', key: 'null', value: 'to-b-2' });
  const a = (await javaRead('rt-route-a', 2)).sort((x, y) => x.partition - y.partition);
  assert.deepEqual(a.map((r) => [r.partition, r.value]), [[0, 'to-a-0'], [1, 'to-a-default']]);
  assert.ok(Math.abs(Number(a[0]!.timestamp) - Date.now()) < 120_000, 'an unparsable timestampHeader leaves the send time');
});

test('a configured partition the topic does not have fails the batch instead of wrapping around', async () => {
  await kafka.createTopic('rt-one', 1);
  await assert.rejects(sink('rt-one', [{ headers: {}, body: Buffer.from('x') }], { defaultPartitionId: 4 }), /Partition 4 of topic "rt-one" does not exist: the topic has 1 partition/);
});

const codecs = ['gzip', 'snappy', 'lz4', ...(hasZstd ? ['zstd'] : [])];

test(`records a Java producer compressed with ${codecs.join(', ')} are read by the source (snappy in Java's Xerial framing)`, async () => {
  const expected: string[] = [];
  for (const codec of codecs) {
    await kafka.createTopic(`rt-java-${codec}`, 1);
    const values = Array.from({ length: 100 }, (_, i) => `${codec}-${i}-${'z'.repeat(i % 40)}`);
    await kafka.produce(`rt-java-${codec}`, values, ['--compression-codec', codec]);
    expected.push(...values);
  }
  const run = await source(codecs.map((c) => `rt-java-${c}`).join(','));
  const got = await run.waitFor(expected.length);
  await run.stop();
  assert.deepEqual(got.map((e) => e.body.toString()).sort(), expected.sort());
});

if (!hasZstd) {
  test('records a Java producer compressed with zstd are refused on this Node with a warning naming zstd', async () => {
    await kafka.createTopic('rt-java-zstd', 1);
    await kafka.produce('rt-java-zstd', ['z1', 'z2'], ['--compression-codec', 'zstd']);
    const run = await source('rt-java-zstd');
    await until(() => run.logs.some((l) => /zstd/.test(l) && /not supported/.test(l)), 'a warning that names zstd');
    await run.stop();
    assert.equal(run.delivered.length, 0);
  });
}

test(`what the sink compresses with ${codecs.join(', ')} is read by Kafka's Java consumer`, async () => {
  const expected: string[] = [];
  for (const codec of codecs) {
    const topic = `rt-sluice-${codec}`;
    await kafka.createTopic(topic, 1);
    const values = Array.from({ length: 100 }, (_, i) => `${codec}-${i}-${'q'.repeat(i % 40)}`);
    await sink(topic, values.map((v) => ({ headers: {}, body: Buffer.from(v) })), { 'kafka.producer.compression.type': codec });
    expected.push(...values);
  }
  const args = ['--bootstrap-server', kafka.bootstrap, '--include', 'rt-sluice-.*', '--from-beginning', '--max-messages', String(expected.length), '--timeout-ms', '20000'];
  const { stdout } = await runJava(await classpath('kafka'), 'org.apache.kafka.tools.consumer.ConsoleConsumer', args, { timeoutMs: 120_000 });
  assert.deepEqual(stdout.split('\n').slice(0, -1).sort(), expected.sort());
});

test('a batch larger than the broker accepts in one record batch is split into requests it accepts', async () => {
  await kafka.createTopic('rt-big', 1);
  const events = Array.from({ length: 3000 }, (_, i) => ({ headers: {}, body: Buffer.from(`${String(i).padStart(5, '0')}${'x'.repeat(995)}`) }));
  await sink('rt-big', events, { flumeBatchSize: 3000 });
  const run = await source('rt-big');
  const got = await run.waitFor(3000);
  await run.stop();
  assert.deepEqual(got.map((e) => e.body.toString().slice(0, 5)), events.map((e) => e.body.toString().slice(0, 5)), 'all of it, in order');
});

test('a topic pattern reads every topic whose whole name matches, and no other', async () => {
  for (const t of ['rx-logs-1', 'rx-logs-2', 'rx-logs-2-old', 'rx-metrics']) {
    await kafka.createTopic(t, 1);
    await kafka.produce(t, [`from ${t}`]);
  }
  const run = await startSource({
    'kafka.bootstrap.servers': kafka.bootstrap,
    // In a properties file a backslash is an escape character, as for Flume: `[0-9]` avoids writing `\\d`.
    'kafka.topics.regex': 'rx-logs-[0-9]',
    'kafka.consumer.group.id': 'g-regex',
    'kafka.consumer.auto.offset.reset': 'earliest',
  });
  await run.waitFor(2);
  await new Promise((r) => setTimeout(r, 1500));
  await run.stop();
  assert.deepEqual(run.delivered.map((e) => e.body.toString()).sort(), ['from rx-logs-1', 'from rx-logs-2']);
});

test('a restarted source resumes after the last delivered offset of its group', async () => {
  await kafka.createTopic('rt-resume', 1);
  await kafka.produce('rt-resume', ['a', 'b', 'c']);
  const first = await source('rt-resume');
  await first.waitFor(3);
  await first.stop();
  await kafka.produce('rt-resume', ['d', 'e']);
  const second = await source('rt-resume');
  const got = await second.waitFor(2);
  await new Promise((r) => setTimeout(r, 1000));
  await second.stop();
  assert.deepEqual(got.map((e) => e.body.toString()), ['d', 'e']);
});
