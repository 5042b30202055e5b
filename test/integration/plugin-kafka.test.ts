// The user-written component example end to end on a real broker: the worked example's own properties
// (examples/enrich-interceptor/flume.properties: kafka source → enrich interceptor loaded from
// ./enrich.mjs → memory → kafka sink), loaded with the module import, reading Flume events that carry a
// `host` header and writing them, enriched with the owning team, to another topic.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfigAsync } from '../../src/config/load.ts';
import { withTransaction } from '../../src/core/channel.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { events } from '../helpers/components.ts';
import { brokerForFile, kafkaChannel, readTopic } from '../helpers/kafka-channel.ts';

const example = fileURLToPath(new URL('../../examples/enrich-interceptor/flume.properties', import.meta.url));
const TOTAL = 3000;
const hosts = ['web-01', 'db-01', 'batch-07'];
const teams: Record<string, string> = { 'web-01': 'storefront', 'db-01': 'platform', 'batch-07': 'unknown' };

const broker = brokerForFile();

test('kafka source → enrich interceptor module → memory → kafka sink adds the looked-up team to every event', { timeout: 300_000 }, async () => {
  // Input as a Flume Kafka sink with useFlumeEventFormat = true writes it: Avro Flume events with headers.
  const input = kafkaChannel(broker().bootstrap, { 'kafka.topic': 'raw-events' });
  await input.start();
  await withTransaction(input.beginPut(), (tx) => tx.put(events(TOTAL, 0, (i) => ({ host: hosts[i % 3]! })), null));
  await input.stop();

  // The example as shipped, with two lines for this input: its records are Flume events, and the source's
  // topic header must not send the output back to the input topic (Flume's documented Kafka-to-Kafka loop).
  const text = [
    readFileSync(example, 'utf8'),
    'enricher.sources.in.useFlumeEventFormat = true',
    'enricher.sources.in.kafka.consumer.auto.offset.reset = earliest',
    'enricher.sinks.out.allowTopicOverride = false',
  ].join('\n');
  const plan = await loadConfigAsync({ files: [example], agent: 'enricher', text, env: { KAFKA_BROKERS: broker().bootstrap } });
  const agent = new Agent(plan, { logger: silentLogger });
  await agent.start();
  try {
    const out = await readTopic(broker().bootstrap, 'enriched-events', TOTAL, 120_000);
    assert.equal(out.length, TOTAL, 'every event once');
    assert.deepEqual(out.map((e) => Number(e.body.toString())).sort((a, b) => a - b), Array.from({ length: TOTAL }, (_, i) => i));
    for (const e of out) {
      const host = e.headers['host']!;
      assert.equal(host, hosts[Number(e.body.toString()) % 3], 'the input headers are kept');
      assert.equal(e.headers['team'], teams[host]);
      assert.equal(e.headers['topic'], 'raw-events', "the source's headers are there too");
    }
  } finally {
    await agent.stop(0);
  }
});
