/**
 * Kafka channel helpers for tests on the real broker: one broker per test file, a channel built from properties by the real
 * loader, a reader that takes and commits until enough events arrived, and topic creation in-process
 * (Kafka's own TopicCommand needs a JVM start per call).
 */
import { after, before } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { loadConfig } from '../../src/config/load.ts';
import { type Channel, withTransaction } from '../../src/core/channel.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { ChannelCounter } from '../../src/core/metrics.ts';
import { type KafkaPeer, showPeerLogsOnFailure, startKafka } from './peers.ts';

/** One broker for the test file: started before its tests, stopped after them; peer logs print on a failure. */
export function brokerForFile(): () => KafkaPeer {
  let peer: KafkaPeer | undefined;
  showPeerLogsOnFailure();
  before(async () => {
    peer = await startKafka();
  });
  after(async () => {
    await peer?.stop();
  });
  return () => peer!;
}

export function kafkaChannel(bootstrap: string, props: Record<string, string>): Channel {
  const lines = ['a1.channels = c1', 'a1.sinks = k1', 'a1.sinks.k1.type = null', 'a1.sinks.k1.channel = c1', 'a1.channels.c1.type = kafka', `a1.channels.c1.kafka.bootstrap.servers = ${bootstrap}`];
  for (const [k, v] of Object.entries(props)) lines.push(`a1.channels.c1.${k} = ${v}`);
  const p = loadConfig({ files: ['kafka-channel.properties'], agent: 'a1', text: lines.join('\n') }).channels[0]!;
  return p.descriptor.create(p.options, { agent: 'a1', name: 'c1', logger: silentLogger, counter: new ChannelCounter('c1') });
}

/** Takes and commits until `n` events arrived or `ms` passed; returns what arrived. */
export async function takeN(channel: Channel, n: number, ms = 30_000): Promise<Event[]> {
  const got: Event[] = [];
  const deadline = Date.now() + ms;
  while (got.length < n && Date.now() < deadline) {
    const batch = await withTransaction(channel.beginTake(), (tx) => tx.take(Math.min(1000, n - got.length), 500));
    for (const e of batch) got.push(e);
  }
  return got;
}

/** Reads every Flume event of `topic` from the beginning, in a group of its own, until `n` arrived or `ms` passed. */
export async function readTopic(bootstrap: string, topic: string, n: number, ms = 60_000): Promise<Event[]> {
  const reader = kafkaChannel(bootstrap, { 'kafka.topic': topic, 'kafka.consumer.group.id': `read-${topic}-${Date.now()}` });
  await reader.start();
  try {
    return await takeN(reader, n, ms);
  } finally {
    await reader.stop();
  }
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'sluice-test', bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** Records in the partitions of `topic` (from 0 to `partitions` − 1): the sum of their end offsets. */
export async function topicSize(bootstrap: string, topic: string, partitions = 1): Promise<number> {
  const admin = new Admin({ clientId: 'sluice-test', bootstrapBrokers: [bootstrap] });
  try {
    const indexes = Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n }));
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions: indexes }] });
    return listed!.partitions.reduce((n, p) => n + Number(p.offset), 0);
  } finally {
    await admin.close();
  }
}
