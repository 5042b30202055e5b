import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { loadConfig } from '../../../src/config/load.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { SinkCounter } from '../../../src/core/metrics.ts';
import { ConfigErrors } from '../../../src/errors.ts';
import { memory } from '../../helpers/components.ts';

function load(type: string, extra: string) {
  const text = [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = seq',
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    'a1.sinks.k1.channel = c1',
    `a1.sinks.k1.type = ${type}`,
    extra,
  ].join('\n');
  return loadConfig({ files: ['agent.properties'], agent: 'a1', text });
}

const ctx = () => ({ agent: 'a1', name: 'k1', logger: silentLogger, channel: memory(), counter: new SinkCounter('k1') });

test("Flume's class name and the short name kafka both give the Kafka sink, with Flume's defaults", () => {
  for (const type of ['org.apache.flume.sink.kafka.KafkaSink', 'kafka']) {
    const sink = load(type, 'a1.sinks.k1.kafka.bootstrap.servers = b:9092').sinks[0]!;
    assert.equal(sink.descriptor.type, 'kafka');
    assert.equal(sink.options['kafka.topic'], 'default-flume-topic');
    assert.equal(sink.options['flumeBatchSize'], 100);
    assert.equal(sink.options['kafka.producer.acks'], '1');
    assert.equal(sink.options['allowTopicOverride'], true);
    assert.equal(sink.options['topicHeader'], 'topic');
    assert.equal(sink.options['kafka.producer.compression.type'], 'none');
  }
});

test("Flume's deprecated spellings brokerList, topic, batchSize and requiredAcks are accepted", () => {
  const sink = load('kafka', 'a1.sinks.k1.brokerList = b:9092\na1.sinks.k1.topic = t\na1.sinks.k1.batchSize = 50\na1.sinks.k1.requiredAcks = -1').sinks[0]!;
  assert.equal(sink.options['kafka.bootstrap.servers'], 'b:9092');
  assert.equal(sink.options['kafka.topic'], 't');
  assert.equal(sink.options['flumeBatchSize'], 50);
  assert.equal(sink.options['kafka.producer.acks'], '-1');
});

test("the guide's kafka.flumeBatchSize is not Flume's key and is refused as unknown", () => {
  assert.throws(
    () => load('kafka', 'a1.sinks.k1.kafka.bootstrap.servers = b:9092\na1.sinks.k1.kafka.flumeBatchSize = 10'),
    (err) => err instanceof ConfigErrors && err.errors.some((e) => e.code === 'SLUICE_CONFIG_UNKNOWN_KEY' && /did you mean "flumeBatchSize"/.test(e.message)),
  );
});

test('acks all and an unknown compression are checked at load time', () => {
  const sink = load('kafka', 'a1.sinks.k1.kafka.bootstrap.servers = b:9092\na1.sinks.k1.kafka.producer.acks = all').sinks[0]!;
  assert.equal(sink.options['kafka.producer.acks'], 'all');
  assert.throws(
    () => load('kafka', 'a1.sinks.k1.kafka.bootstrap.servers = b:9092\na1.sinks.k1.kafka.producer.compression.type = brotli'),
    (err) => err instanceof ConfigErrors && err.errors.some((e) => e.code === 'SLUICE_CONFIG_BAD_VALUE'),
  );
});

test('zstd compression loads on a Node with zstd and is refused at load time, naming the Node version, otherwise', () => {
  const extra = 'a1.sinks.k1.kafka.bootstrap.servers = b:9092\na1.sinks.k1.kafka.producer.compression.type = zstd';
  if (typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function') assert.ok(load('kafka', extra));
  else {
    assert.throws(
      () => load('kafka', extra),
      (err) => err instanceof ConfigErrors && err.errors.some((e) => e.code === 'SLUICE_CONFIG_UNSUPPORTED' && e.message.includes(process.versions.node)),
    );
  }
});

test('kafka.producer settings without effect and time escapes in kafka.topic are load-time warnings naming the key', () => {
  const plan = load('kafka', 'a1.sinks.k1.kafka.bootstrap.servers = b:9092\na1.sinks.k1.kafka.producer.buffer.memory = 1\na1.sinks.k1.kafka.topic = x-%Y');
  const byKey = new Map(plan.warnings.map((w) => [w.key, w.message]));
  assert.match(byKey.get('a1.sinks.k1.kafka.producer.buffer.memory') ?? '', /not supported by Sluice's Kafka client/);
  assert.match(byKey.get('a1.sinks.k1.kafka.topic') ?? '', /only the %\{header\} escape is replaced/);
  const sink = plan.sinks[0]!;
  assert.ok(sink.descriptor.create(sink.options, ctx()));
});
