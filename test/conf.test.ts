import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../src/agent/agent.ts';
import { loadConfig } from '../src/config/load.ts';

const conf = (name: string) => new URL(`../conf/${name}`, import.meta.url).pathname;

describe('shipped configurations', () => {
  test('the quick start runs with no outside service and logs its 20 events', async () => {
    const plan = loadConfig({ files: [conf('flume.properties')], agent: 'agent1', env: {} });
    assert.deepEqual(plan.warnings, []);
    const logged: string[] = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logged.push(JSON.parse(line).msg);
        done();
      },
    });
    const agent = new Agent(plan, { logger: pino({ level: 'info' }, out) });
    await agent.start();
    const end = Date.now() + 10_000;
    while (logged.filter((m) => m.startsWith('Event: ')).length < 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await agent.stop(1000);
    const events = logged.filter((m) => m.startsWith('Event: '));
    assert.equal(events.length, 20);
    assert.equal(events[0], 'Event: { headers:{} body: 30                                              0 }');
  });

  test('the edge collector reads two spooling directories into a file channel and fails over between two aggregators', () => {
    const plan = loadConfig({ files: [conf('edge-collector.properties')], agent: 'collector', env: { SPOOL_DIR: '/data/spool', DATA_DIR: '/data/sluice', AGGREGATOR_1: 'agg-a', AGGREGATOR_2: 'agg-b' } });
    assert.deepEqual(plan.warnings, []);
    assert.deepEqual(plan.sources.map((s) => [s.name, s.descriptor.type, s.options['spoolDir'], s.interceptors.map((i) => i.descriptor.type)]), [
      ['app', 'spooldir', '/data/spool/app', ['timestamp', 'host', 'static']],
      ['audit', 'spooldir', '/data/spool/audit', ['timestamp', 'host', 'static']],
    ]);
    assert.deepEqual(plan.channels.map((c) => [c.name, c.descriptor.type, c.raw.get('checkpointDir')]), [['spool', 'file', '/data/sluice/checkpoint']]);
    assert.deepEqual(plan.sinks.map((s) => [s.name, s.descriptor.type, s.options['hostname'], s.options['port']]), [
      ['agg1', 'avro', 'agg-a', 4545],
      ['agg2', 'avro', 'agg-b', 4545],
    ]);
    assert.deepEqual(plan.groups.map((g) => [g.name, g.processor, g.sinks]), [['aggregators', 'failover', ['agg1', 'agg2']]]);
  });

  test('the aggregator routes app logs to HDFS and Kafka and everything else to HDFS, each through its own file channel', () => {
    const plan = loadConfig({ files: [conf('aggregator.properties')], agent: 'aggregator', env: { HDFS_URI: 'hdfs://nn:8020', WEBHDFS_URL: 'http://nn:9870', KAFKA_BROKERS: 'kafka:9092' } });
    assert.deepEqual(plan.warnings, []);
    const [source] = plan.sources;
    assert.equal(source!.descriptor.type, 'avro');
    assert.equal(source!.selector.type, 'multiplexing');
    assert.deepEqual(source!.selector.type === 'multiplexing' && [source!.selector.header, [...source!.selector.mapping].map(([v, r]) => [v, r.required]), source!.selector.default], [
      'logtype',
      [
        ['app', ['to_hdfs', 'to_kafka']],
        ['audit', ['to_hdfs']],
      ],
      ['to_hdfs'],
    ]);
    assert.deepEqual(plan.channels.map((c) => c.descriptor.type), ['file', 'file']);
    assert.deepEqual(plan.sinks.map((s) => [s.name, s.descriptor.type, s.channel]), [
      ['hdfs', 'hdfs', 'to_hdfs'],
      ['kafka', 'kafka', 'to_kafka'],
    ]);
    assert.equal(plan.sinks[0]!.raw.get('hdfs.path'), 'hdfs://nn:8020/logs/%{logtype}/%Y-%m-%d/%H');
    assert.equal(plan.sinks[1]!.options['kafka.bootstrap.servers'], 'kafka:9092');
  });
});
