// The Kafka channel against a real Kafka 4.1 broker: put/take round trips across partitions, commits
// that move the group's offsets, rollback redelivery, and whole agents that use the channel without a
// sink (a Kafka producer) and without a source (a Kafka consumer).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { withTransaction } from '../../src/core/channel.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { bodies, events } from '../helpers/components.ts';
import { brokerForFile, createTopic, kafkaChannel, takeN } from '../helpers/kafka-channel.ts';
import { makePeerDir } from '../helpers/peers.ts';

const broker = brokerForFile();

describe('Kafka channel on a real broker', () => {
  test('events put in three transactions come back with their headers from every partition, and committed takes are not read again by the group', { timeout: 120_000 }, async () => {
    await createTopic(broker().bootstrap, 'rt', 3);
    const ch = kafkaChannel(broker().bootstrap, { 'kafka.topic': 'rt', 'kafka.consumer.group.id': 'g-rt' });
    await ch.start();
    for (let b = 0; b < 3; b++) {
      await withTransaction(ch.beginPut(), (tx) => tx.put(events(1000, b * 1000, (i) => ({ i: String(i), key: `k${i % 7}` })), null));
    }
    const got = await takeN(ch, 3000);
    await ch.stop();
    assert.equal(got.length, 3000);
    assert.deepEqual(new Set(bodies(got)), new Set(Array.from({ length: 3000 }, (_, i) => String(i))));
    for (const e of got) assert.deepEqual(e.headers, { i: e.body.toString(), key: `k${Number(e.body.toString()) % 7}` });
    // Per key (one partition each), the order of the puts is kept.
    const k3 = got.filter((e) => e.headers['key'] === 'k3').map((e) => Number(e.body.toString()));
    assert.deepEqual(k3, [...k3].sort((a, b) => a - b));

    const again = kafkaChannel(broker().bootstrap, { 'kafka.topic': 'rt', 'kafka.consumer.group.id': 'g-rt' });
    await again.start();
    assert.deepEqual(bodies(await takeN(again, 1, 5000)), [], 'the group resumes after what was committed');
    await again.stop();
  });

  test('a rolled-back take gives back the same events, and what was taken but never committed is read again after a restart', { timeout: 120_000 }, async () => {
    const ch = kafkaChannel(broker().bootstrap, { 'kafka.topic': 'rb', 'kafka.consumer.group.id': 'g-rb' });
    await ch.start();
    await withTransaction(ch.beginPut(), (tx) => tx.put(events(20), null));
    const tx = ch.beginTake();
    let first: Event[] = [];
    for (let tries = 0; first.length < 20 && tries < 40; tries++) first = first.concat(await tx.take(20 - first.length, 500));
    assert.equal(first.length, 20);
    await tx.rollback();
    assert.equal(ch.size(), 20);
    const tx2 = ch.beginTake();
    const second = await tx2.take(8, 500);
    assert.deepEqual(bodies(second), bodies(first).slice(0, 8), 'the same records, in their order');
    await tx2.commit();
    const tx3 = ch.beginTake();
    assert.deepEqual(bodies(await tx3.take(100, 500)), bodies(first).slice(8));
    // Stopped with tx3 open: its 12 events were never committed.
    await ch.stop();

    const restarted = kafkaChannel(broker().bootstrap, { 'kafka.topic': 'rb', 'kafka.consumer.group.id': 'g-rb' });
    await restarted.start();
    assert.deepEqual(bodies(await takeN(restarted, 12)), bodies(first).slice(8));
    await restarted.stop();
  });

  test('an agent with only a source fills the topic, and an agent with only a sink drains it', { timeout: 120_000 }, async () => {
    const dir = makePeerDir('kafka-channel-agents');
    const producer = new Agent(
      loadConfig({
        files: ['producer.properties'],
        agent: 'p',
        text: [
          'p.sources = r', 'p.channels = c',
          'p.sources.r.type = seq', 'p.sources.r.totalEvents = 5000', 'p.sources.r.batchSize = 500', 'p.sources.r.channels = c',
          'p.channels.c.type = org.apache.flume.channel.kafka.KafkaChannel', `p.channels.c.kafka.bootstrap.servers = ${broker().bootstrap}`, 'p.channels.c.kafka.topic = agents',
        ].join('\n'),
      }),
      { logger: silentLogger },
    );
    const consumer = new Agent(
      loadConfig({
        files: ['consumer.properties'],
        agent: 'q',
        text: [
          'q.channels = c', 'q.sinks = k',
          'q.channels.c.type = kafka', `q.channels.c.kafka.bootstrap.servers = ${broker().bootstrap}`, 'q.channels.c.kafka.topic = agents', 'q.channels.c.kafka.consumer.group.id = drain',
          'q.sinks.k.type = file_roll', 'q.sinks.k.channel = c', `q.sinks.k.sink.directory = ${dir}`, 'q.sinks.k.sink.rollInterval = 0', 'q.sinks.k.sink.batchSize = 1000',
        ].join('\n'),
      }),
      { logger: silentLogger },
    );
    await producer.start();
    await consumer.start();
    const lines = (): string[] => readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    const deadline = Date.now() + 60_000;
    while (lines().length < 5000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await producer.stop(0);
    await consumer.stop(0);
    const out = lines();
    assert.equal(out.length, 5000);
    assert.deepEqual(new Set(out), new Set(Array.from({ length: 5000 }, (_, i) => String(i))));
  });
});
