/**
 * The Kafka source and sink against Apache Flume 1.11's own (KafkaSink, KafkaSource) on one real broker,
 * with useFlumeEventFormat = true: what Flume's sink writes, Sluice's source reads with the same headers
 * and bodies; what Sluice's sink writes, Flume's source reads likewise; and keyed records land on the
 * partitions Flume's Java producer picks for the same keys.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Event } from '../../src/core/event.ts';
import { sendThroughSink, startSource, until } from '../helpers/kafka.ts';
import { type KafkaPeer, makePeerDir, showPeerLogsOnFailure, startFlume, startKafka } from '../helpers/peers.ts';

const N = 300;
let kafka: KafkaPeer;
showPeerLogsOnFailure();
before(async () => {
  kafka = await startKafka();
});
after(() => kafka?.stop());

const props = (agent: string, entries: Record<string, string | number>) =>
  `${Object.entries(entries)
    .map(([k, v]) => `${agent}.${k} = ${v}`)
    .join('\n')}\n`;

/** Events of Flume's file_roll `header_and_text` output: `{k=v, k2=v2} body` per line. */
function headerAndText(dir: string): Event[] {
  const events: Event[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const close = line.indexOf('} ');
      if (!line.startsWith('{') || close < 0) continue;
      const pairs = line.slice(1, close).split(', ').filter(Boolean);
      const headers = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      events.push({ headers, body: Buffer.from(line.slice(close + 2)) });
    }
  }
  return events;
}

test("events Flume's Kafka sink writes reach Sluice's Kafka source with the same headers and bodies, keys on Flume's partitions", { timeout: 300_000 }, async () => {
  await kafka.createTopic('flume-out', 3);
  await kafka.createTopic('sluice-out', 3);
  const flume = await startFlume(
    props('a1', {
      sources: 'r1',
      channels: 'c1',
      sinks: 'k1',
      'sources.r1.type': 'seq',
      'sources.r1.totalEvents': N,
      'sources.r1.batchSize': 50,
      'sources.r1.channels': 'c1',
      'sources.r1.interceptors': 'o k',
      'sources.r1.interceptors.o.type': 'static',
      'sources.r1.interceptors.o.key': 'origin',
      'sources.r1.interceptors.o.value': 'flume \\u00e9',
      'sources.r1.interceptors.k.type': 'regex_extractor',
      'sources.r1.interceptors.k.regex': '^([0-9]+)$',
      'sources.r1.interceptors.k.serializers': 's',
      'sources.r1.interceptors.k.serializers.s.name': 'key',
      'channels.c1.type': 'memory',
      'channels.c1.capacity': 1000,
      'channels.c1.transactionCapacity': 100,
      'sinks.k1.type': 'org.apache.flume.sink.kafka.KafkaSink',
      'sinks.k1.channel': 'c1',
      'sinks.k1.kafka.bootstrap.servers': kafka.bootstrap,
      'sinks.k1.kafka.topic': 'flume-out',
      'sinks.k1.flumeBatchSize': 50,
      'sinks.k1.useFlumeEventFormat': 'true',
    }),
    'a1',
    { variant: 'kafka' },
  );
  const run = await startSource({
    'kafka.bootstrap.servers': kafka.bootstrap,
    'kafka.topics': 'flume-out',
    'kafka.consumer.group.id': 'sluice-reads-flume',
    'kafka.consumer.auto.offset.reset': 'earliest',
    useFlumeEventFormat: true,
  });
  const fromFlume = await run.waitFor(N, 120_000);
  await run.stop();
  await flume.stop();
  assert.deepEqual(fromFlume.map((e) => Number(e.body.toString())).sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i));
  const flumePartition = new Map<string, string>();
  for (const e of fromFlume) {
    const { origin, key, topic, partition, offset, timestamp, ...rest } = e.headers;
    assert.deepEqual(rest, {}, 'no other headers');
    assert.equal(origin, 'flume é');
    assert.equal(key, e.body.toString());
    assert.equal(topic, 'flume-out');
    assert.match(`${partition}/${offset}/${timestamp}`, /^[0-2]\/\d+\/\d{13}$/);
    flumePartition.set(key!, partition!);
  }

  await sendThroughSink(
    { 'kafka.bootstrap.servers': kafka.bootstrap, 'kafka.topic': 'sluice-out' },
    fromFlume.map((e) => ({ headers: { key: e.headers['key']! }, body: e.body })),
  );
  const check = await startSource({
    'kafka.bootstrap.servers': kafka.bootstrap,
    'kafka.topics': 'sluice-out',
    'kafka.consumer.group.id': 'sluice-reads-sluice',
    'kafka.consumer.auto.offset.reset': 'earliest',
  });
  const fromSluice = await check.waitFor(N);
  await check.stop();
  for (const e of fromSluice) assert.equal(e.headers['partition'], flumePartition.get(e.headers['key']!), `partition of key ${e.headers['key']}`);
  assert.equal(new Set(flumePartition.values()).size, 3);
});

test("events Sluice's Kafka sink writes reach Flume's Kafka source with the same headers and bodies", { timeout: 300_000 }, async () => {
  await kafka.createTopic('to-flume', 2);
  const events: Event[] = Array.from({ length: N }, (_, i) => ({
    headers: { origin: 'sluice', n: String(i), ...(i % 2 === 0 ? { key: `k${i % 5}` } : {}) },
    body: Buffer.from(`event ${i}`),
  }));
  await sendThroughSink({ 'kafka.bootstrap.servers': kafka.bootstrap, 'kafka.topic': 'to-flume', useFlumeEventFormat: true }, events, 'kafka');
  const out = join(makePeerDir('kafka-to-flume'), 'out');
  mkdirSync(out);
  const flume = await startFlume(
    props('a1', {
      sources: 'r1',
      channels: 'c1',
      sinks: 'k1',
      'sources.r1.type': 'org.apache.flume.source.kafka.KafkaSource',
      'sources.r1.channels': 'c1',
      'sources.r1.kafka.bootstrap.servers': kafka.bootstrap,
      'sources.r1.kafka.topics': 'to-flume',
      'sources.r1.kafka.consumer.group.id': 'flume-reads-sluice',
      'sources.r1.kafka.consumer.auto.offset.reset': 'earliest',
      'sources.r1.useFlumeEventFormat': 'true',
      'sources.r1.batchSize': 100,
      'channels.c1.type': 'memory',
      'channels.c1.capacity': 1000,
      'channels.c1.transactionCapacity': 100,
      'sinks.k1.type': 'file_roll',
      'sinks.k1.channel': 'c1',
      'sinks.k1.sink.directory': out,
      'sinks.k1.sink.rollInterval': 0,
      'sinks.k1.sink.serializer': 'header_and_text',
    }),
    'a1',
    { variant: 'kafka' },
  );
  await until(() => headerAndText(out).length >= N, `${N} events in Flume's file_roll output`, 120_000);
  await flume.stop();
  const got = headerAndText(out);
  assert.equal(got.length, N);
  for (const e of got) {
    const { origin, n, key, topic, partition, offset, timestamp, ...rest } = e.headers;
    const sent = events[Number(n)]!;
    assert.deepEqual(rest, {}, 'no other headers');
    assert.equal(origin, 'sluice');
    assert.equal(e.body.toString(), sent.body.toString());
    assert.equal(key, sent.headers['key'], 'the key header is the record key');
    assert.equal(topic, 'to-flume');
    assert.match(`${partition}/${offset}/${timestamp}`, /^[01]\/\d+\/\d{13}$/);
  }
});
