import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaChannelConfig } from '../../../src/channels/kafka/options.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { AgentPlan } from '../../../src/config/plan.ts';
import { ConfigErrors } from '../../../src/errors.ts';

const wiring = ['a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1', 'a1.sources.r1.type = seq', 'a1.sources.r1.channels = c1', 'a1.sinks.k1.type = null', 'a1.sinks.k1.channel = c1'];

function load(lines: string[], type = 'org.apache.flume.channel.kafka.KafkaChannel') {
  const text = [`a1.channels.c1.type = ${type}`, ...lines].join('\n');
  return loadConfig({ files: ['agent.properties'], agent: 'a1', text });
}

const channel = (lines: string[], type?: string): AgentPlan['channels'][number] => load([...wiring, 'a1.channels.c1.kafka.bootstrap.servers = b:9092', ...lines], type).channels[0]!;
const config = (lines: string[]) => {
  const c = channel(lines);
  return kafkaChannelConfig(c.options as Parameters<typeof kafkaChannelConfig>[0]);
};

function errors(lines: string[]): string[] {
  try {
    load([...wiring, ...lines]);
  } catch (err) {
    assert.ok(err instanceof ConfigErrors, String(err));
    return err.errors.map((e) => `${e.code} ${e.message}`);
  }
  assert.fail('the configuration should be refused');
}

test("Flume's class name and the short name kafka both give the Kafka channel, with Flume's defaults", () => {
  for (const type of ['org.apache.flume.channel.kafka.KafkaChannel', 'kafka']) {
    const c = channel([], type);
    assert.equal(c.descriptor.type, 'kafka');
    const cfg = kafkaChannelConfig(c.options as Parameters<typeof kafkaChannelConfig>[0]);
    assert.equal(cfg.topic, 'flume-channel');
    assert.equal(cfg.consumer.groupId, 'flume');
    assert.equal(cfg.flumeEvents, true);
    assert.equal(cfg.pollTimeoutMs, 500);
    assert.equal(cfg.producer.acks, -1);
    assert.equal(cfg.consumer.settings.autoOffsetReset, 'earliest');
    assert.deepEqual(cfg.consumer.topics, ['flume-channel']);
  }
});

test("the code's kafka.pollTimeout, the guide's pollTimeout and Flume's deprecated brokerList, topic and groupId are accepted", () => {
  const c = load([...wiring, 'a1.channels.c1.brokerList = x:1,y:2', 'a1.channels.c1.topic = t', 'a1.channels.c1.groupId = g', 'a1.channels.c1.pollTimeout = 50']).channels[0]!;
  const cfg = kafkaChannelConfig(c.options as Parameters<typeof kafkaChannelConfig>[0]);
  assert.deepEqual(cfg.producer.brokers, ['x:1', 'y:2']);
  assert.equal(cfg.topic, 't');
  assert.equal(cfg.consumer.groupId, 'g');
  assert.equal(cfg.pollTimeoutMs, 50);
  assert.equal(config(['a1.channels.c1.kafka.pollTimeout = 70']).pollTimeoutMs, 70);
});

test('auto.offset.reset is earliest unless set, and the deprecated readSmallestOffset = false means latest', () => {
  assert.equal(config(['a1.channels.c1.kafka.consumer.auto.offset.reset = latest']).consumer.settings.autoOffsetReset, 'latest');
  assert.equal(config(['a1.channels.c1.readSmallestOffset = false']).consumer.settings.autoOffsetReset, 'latest');
  assert.equal(config(['a1.channels.c1.readSmallestOffset = true']).consumer.settings.autoOffsetReset, 'earliest');
});

test('pass-through settings, acks, compression and partition keys reach the clients', () => {
  const cfg = config([
    'a1.channels.c1.kafka.producer.acks = 1',
    'a1.channels.c1.kafka.producer.compression.type = gzip',
    'a1.channels.c1.kafka.producer.request.timeout.ms = 1234',
    'a1.channels.c1.kafka.consumer.session.timeout.ms = 6000',
    'a1.channels.c1.kafka.consumer.security.protocol = SASL_PLAINTEXT',
    'a1.channels.c1.kafka.consumer.sasl.mechanism = PLAIN',
    'a1.channels.c1.kafka.consumer.sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
    'a1.channels.c1.defaultPartitionId = 2',
    'a1.channels.c1.partitionIdHeader = part',
  ]);
  assert.equal(cfg.producer.acks, 1);
  assert.equal(cfg.producer.compression, 'gzip');
  assert.equal(cfg.producer.settings.timeout, 1234);
  assert.equal(cfg.consumer.settings.sessionTimeout, 6000);
  assert.deepEqual(cfg.consumer.settings.sasl, { mechanism: 'PLAIN', username: 'u', password: 'p' });
  assert.equal(cfg.plan.defaultPartition, 2);
  assert.equal(cfg.plan.partitionHeader, 'part');
  assert.equal(cfg.plan.topicHeader, undefined);
});

test('keys Flume ignores on this channel (capacity, transactionCapacity) and client settings without effect are warnings, naming the key', () => {
  const plan = load([
    ...wiring,
    'a1.channels.c1.kafka.bootstrap.servers = b:9092',
    'a1.channels.c1.capacity = 10000',
    'a1.channels.c1.transactionCapacity = 1000',
    'a1.channels.c1.kafka.consumer.check.crcs = true',
  ]);
  const keys = plan.warnings.map((w) => w.key);
  for (const k of ['capacity', 'transactionCapacity', 'kafka.consumer.check.crcs']) assert.ok(keys.includes(`a1.channels.c1.${k}`), `${k} in ${keys.join(', ')}`);
});

test('a missing broker list, an unknown key and a bad client setting are refused at load time', () => {
  const found = errors(['a1.channels.c1.parseAsFlumeEvents = true']);
  assert.ok(found.some((e) => /SLUICE_CONFIG_MISSING_KEY .*kafka\.bootstrap\.servers/.test(e)), found.join('\n'));
  assert.ok(found.some((e) => /SLUICE_CONFIG_UNKNOWN_KEY .*did you mean "parseAsFlumeEvent"/.test(e)), found.join('\n'));
  const bad = errors(['a1.channels.c1.kafka.bootstrap.servers = b:9092', 'a1.channels.c1.kafka.consumer.fetch.max.bytes = lots']);
  assert.ok(bad.some((e) => /SLUICE_CONFIG_BAD_VALUE .*kafka\.consumer\.fetch\.max\.bytes/.test(e)), bad.join('\n'));
});

test('no batch size is checked against the channel, as in Flume', () => {
  const plan = load([...wiring, 'a1.channels.c1.kafka.bootstrap.servers = b:9092', 'a1.sources.r1.batchSize = 50000', 'a1.sinks.k1.batchSize = 20000']);
  assert.equal(plan.sources[0]!.options['batchSize'], 50000);
});

test('a Kafka channel with only a sink, or only a source, is a valid agent; one with neither is refused', () => {
  const base = ['a1.channels = c1', 'a1.channels.c1.kafka.bootstrap.servers = b:9092'];
  const sinkOnly = load([...base, 'a1.sinks = k1', 'a1.sinks.k1.type = null', 'a1.sinks.k1.channel = c1']);
  assert.deepEqual([sinkOnly.sources.length, sinkOnly.sinks.length, sinkOnly.channels.length], [0, 1, 1]);
  const sourceOnly = load([...base, 'a1.sources = r1', 'a1.sources.r1.type = seq', 'a1.sources.r1.channels = c1']);
  assert.deepEqual([sourceOnly.sources.length, sourceOnly.sinks.length, sourceOnly.channels.length], [1, 0, 1]);
  const unused = errors([...base.slice(1), 'a1.channels = c1 c2', 'a1.channels.c2.type = memory']);
  assert.ok(unused.some((e) => /SLUICE_CONFIG_WIRING .*channel "c2" is not connected to any source or sink/.test(e)), unused.join('\n'));
});
