import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChannelProcessor } from '../../../src/core/channel-processor.ts';
import type { SourceContext } from '../../../src/core/component.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { SourceCounter } from '../../../src/core/metrics.ts';
import { ReplicatingSelector } from '../../../src/core/selectors.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { ConfigErrors } from '../../../src/errors.ts';
import { memory } from '../../helpers/components.ts';

function config(type: string, extra: string): string {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    `a1.sources.r1.type = ${type}`,
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 10000',
    'a1.channels.c1.transactionCapacity = 1000',
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.channel = c1',
    extra,
  ].join('\n');
}

const load = (type: string, extra: string) => loadConfig({ files: ['agent.properties'], agent: 'a1', text: config(type, extra) });

const ctx = (): SourceContext => ({
  agent: 'a1',
  name: 'r1',
  logger: silentLogger,
  processor: new ChannelProcessor(new ReplicatingSelector([memory()]), undefined, silentLogger),
  counter: new SourceCounter('r1'),
  maxBatch: 1000,
});

test("Flume's class name and the short name kafka both give the Kafka source, with Flume's defaults", () => {
  for (const type of ['org.apache.flume.source.kafka.KafkaSource', 'kafka', 'KAFKA']) {
    const plan = load(type, 'a1.sources.r1.kafka.bootstrap.servers = b1:9092\na1.sources.r1.kafka.topics = a, b ,c');
    const src = plan.sources[0]!;
    assert.equal(src.descriptor.type, 'kafka');
    assert.equal(src.descriptor.replayable, true);
    assert.deepEqual(src.options['kafka.topics'], ['a', 'b', 'c']);
    assert.equal(src.options['kafka.consumer.group.id'], 'flume');
    assert.equal(src.options['batchSize'], 1000);
    assert.equal(src.options['batchDurationMillis'], 1000);
    assert.equal(src.options['setTopicHeader'], true);
    assert.equal(src.options['useFlumeEventFormat'], false);
  }
});

test("Flume's deprecated spellings topic and groupId are accepted", () => {
  const plan = load('kafka', 'a1.sources.r1.kafka.bootstrap.servers = b:9092\na1.sources.r1.topic = old\na1.sources.r1.groupId = g2');
  assert.deepEqual(plan.sources[0]!.options['kafka.topics'], ['old']);
  assert.equal(plan.sources[0]!.options['kafka.consumer.group.id'], 'g2');
});

test('ZooKeeper-era keys are accepted with a warning naming them', () => {
  const plan = load('kafka', 'a1.sources.r1.kafka.bootstrap.servers = b:9092\na1.sources.r1.kafka.topics = t\na1.sources.r1.migrateZookeeperOffsets = false');
  assert.ok(plan.warnings.some((w) => w.code === 'SLUICE_CONFIG_UNSUPPORTED' && w.key?.endsWith('migrateZookeeperOffsets')));
});

test('a missing kafka.bootstrap.servers and a batchSize above the channel transactionCapacity are refused together', () => {
  const text = config('kafka', 'a1.sources.r1.kafka.topics = t\na1.sources.r1.batchSize = 5000');
  assert.throws(
    () => loadConfig({ files: ['agent.properties'], agent: 'a1', text }),
    (err) =>
      err instanceof ConfigErrors &&
      err.errors.some((e) => e.code === 'SLUICE_CONFIG_MISSING_KEY' && e.key === 'a1.sources.r1.kafka.bootstrap.servers') &&
      err.errors.some((e) => e.code === 'SLUICE_CONFIG_CAPACITY'),
  );
});

test('a source without kafka.topics or kafka.topics.regex, or with a broken pattern, is refused at load time', () => {
  const refused = (extra: string, code: string, key: string) =>
    assert.throws(
      () => load('kafka', `a1.sources.r1.kafka.bootstrap.servers = b:9092\n${extra}`),
      (err) => err instanceof ConfigErrors && err.errors.some((e) => e.code === code && e.key === `a1.sources.r1.${key}`),
    );
  refused('', 'SLUICE_CONFIG_MISSING_KEY', 'kafka.topics');
  refused('a1.sources.r1.kafka.topics.regex = logs-(', 'SLUICE_CONFIG_BAD_VALUE', 'kafka.topics.regex');
  const ok = load('kafka', 'a1.sources.r1.kafka.bootstrap.servers = b:9092\na1.sources.r1.kafka.topics.regex = logs-.*').sources[0]!;
  assert.ok(ok.descriptor.create(ok.options, ctx()));
});

test('kafka.consumer settings are checked at load time: bad values refused, settings without effect warned, with their line', () => {
  const text = config('kafka', 'a1.sources.r1.kafka.bootstrap.servers = b:9092\na1.sources.r1.kafka.topics = t\na1.sources.r1.kafka.consumer.max.poll.records = 10');
  const plan = loadConfig({ files: ['agent.properties'], agent: 'a1', text });
  const w = plan.warnings.find((x) => x.key === 'a1.sources.r1.kafka.consumer.max.poll.records');
  assert.equal(w?.line, 13);
  assert.match(w!.message, /has no effect with value "10": batchSize bounds each batch/);
  assert.throws(
    () => load('kafka', 'a1.sources.r1.kafka.bootstrap.servers = b:9092\na1.sources.r1.kafka.topics = t\na1.sources.r1.kafka.consumer.security.protocol = SASL_SSL'),
    (err) => err instanceof ConfigErrors && err.errors.some((e) => e.key === 'a1.sources.r1.kafka.consumer.sasl.mechanism' && /GSSAPI/.test(e.message)),
  );
});
