import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ChannelProcessor } from '../../../src/core/channel-processor.ts';
import type { SourceContext } from '../../../src/core/component.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { SourceCounter } from '../../../src/core/metrics.ts';
import { ReplicatingSelector } from '../../../src/core/selectors.ts';
import { type ConsumedRecord, type KafkaConsumer, type PartitionOffset, partitionKey } from '../../../src/kafka/client.ts';
import { type ConsumerSettings, consumerSettings } from '../../../src/kafka/settings.ts';
import { KafkaSource, type KafkaSourceConfig } from '../../../src/sources/kafka/source.ts';
import { bodies, CollectingSink, drain, memory } from '../../helpers/components.ts';

class FakeConsumer implements KafkaConsumer {
  readonly queue: ConsumedRecord[] = [];
  readonly commits: PartitionOffset[][] = [];
  readonly polled: ConsumedRecord[] = [];
  assignment: ReadonlySet<string> = new Set(['t:0', 't:1']);
  failNextPoll: Error | undefined;
  failCommits = 0;
  closed = false;
  private listeners: Array<(a: ReadonlySet<string>) => void> = [];

  add(partition: number, from: number, n: number): void {
    for (let i = from; i < from + n; i++) {
      this.queue.push({ topic: 't', partition, offset: BigInt(i), timestamp: 1n, key: undefined, value: Buffer.from(`${partition}-${i}`), headers: new Map() });
    }
  }

  async poll(max: number, waitMs: number): Promise<ConsumedRecord[]> {
    const err = this.failNextPoll;
    this.failNextPoll = undefined;
    if (err) throw err;
    const out = this.queue.splice(0, max);
    if (out.length === 0) await new Promise((r) => setTimeout(r, Math.min(waitMs, 5)));
    this.polled.push(...out);
    return out;
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (this.failCommits > 0) {
      this.failCommits--;
      throw new Error('coordinator moved');
    }
    this.commits.push([...offsets]);
  }

  assigned(): ReadonlySet<string> {
    return this.assignment;
  }

  onAssignment(listener: (a: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  rebalance(keys: string[]): void {
    this.assignment = new Set(keys);
    for (const l of this.listeners) l(this.assignment);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The last committed offset per partition. */
  committed(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.commits) for (const o of c) out[partitionKey(o.topic, o.partition)] = Number(o.offset);
    return out;
  }
}

const settings: ConsumerSettings = consumerSettings({}).settings;

function setup(opts: { batchSize?: number; capacity?: number } = {}) {
  const channel = memory('c1', opts.capacity ?? 1000, 100, 0);
  const counter = new SourceCounter('r1');
  const ctx: SourceContext = {
    agent: 'a1',
    name: 'r1',
    logger: silentLogger,
    processor: new ChannelProcessor(new ReplicatingSelector([channel]), undefined, silentLogger),
    counter,
    maxBatch: 100,
  };
  const config: KafkaSourceConfig = {
    consumer: { brokers: ['b:9092'], groupId: 'g', topics: ['t'], buffered: 10, settings },
    batchSize: opts.batchSize ?? 5,
    batchDurationMs: 20,
    backoffIncrementMs: 5,
    maxBackoffMs: 10,
    format: { flumeEvents: false, topicHeader: 'topic', headerMap: [] },
    stopWaitMs: 300,
  };
  const consumer = new FakeConsumer();
  const source = new KafkaSource(ctx, config, () => consumer);
  after(() => source.stop());
  return { channel, counter, consumer, source, sink: new CollectingSink(channel, 100) };
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('offsets are committed only once the sink has delivered the events, never when the channel accepted them', async () => {
  const { channel, consumer, source, sink, counter } = setup();
  consumer.add(0, 0, 10);
  await source.start();
  await until(() => channel.size() === 10, 'the channel to hold 10 events');
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(consumer.commits, [], 'nothing delivered, nothing committed');
  assert.equal(counter.awaitingAck, 10);
  await drain(sink);
  await until(() => consumer.committed()['t:0'] === 10, 'offset 10 to be committed');
  assert.equal(counter.awaitingAck, 0);
  await source.stop();
  assert.deepEqual(bodies(sink.delivered), Array.from({ length: 10 }, (_, i) => `0-${i}`));
});

test('a batch the full channel refused is put again after the backoff, not read from Kafka again', async () => {
  const { channel, consumer, source, sink, counter } = setup({ capacity: 5 });
  consumer.add(0, 0, 10);
  await source.start();
  await until(() => counter.channelWriteFail > 0, 'a refused put');
  assert.equal(channel.size(), 5);
  await drain(sink);
  await until(() => counter.eventAccepted === 10, 'the retried batch');
  await drain(sink);
  await until(() => consumer.committed()['t:0'] === 10, 'the last offset to be committed');
  await source.stop();
  assert.deepEqual(bodies(sink.delivered), Array.from({ length: 10 }, (_, i) => `0-${i}`));
  assert.equal(consumer.polled.length, 10, 'each record was read once');
});

test('after a rebalance only delivered offsets of partitions still assigned are committed', async () => {
  const { channel, consumer, source, sink } = setup({ batchSize: 10 });
  consumer.add(0, 0, 4);
  consumer.add(1, 0, 4);
  await source.start();
  await until(() => channel.size() === 8, 'both partitions in the channel');
  consumer.rebalance(['t:1']);
  await drain(sink);
  await until(() => consumer.committed()['t:1'] === 4, 'partition 1 to be committed');
  await source.stop();
  assert.equal(consumer.committed()['t:0'], undefined, 'partition 0 now belongs to another member');
});

test('stop lets the sinks deliver what is in flight, commits it, and closes the consumer', async () => {
  const { channel, consumer, source, sink } = setup();
  consumer.add(0, 0, 5);
  await source.start();
  await until(() => channel.size() === 5, 'the batch in the channel');
  setTimeout(() => void drain(sink), 50);
  await source.stop();
  assert.equal(consumer.committed()['t:0'], 5);
  assert.ok(consumer.closed);
});

test('a failed commit is retried until Kafka accepts it', async () => {
  const { channel, consumer, source, sink } = setup();
  consumer.failCommits = 1;
  consumer.add(0, 0, 5);
  await source.start();
  await until(() => channel.size() === 5, 'the batch in the channel');
  await drain(sink);
  await until(() => consumer.committed()['t:0'] === 5, 'the commit retry', 4000);
  await source.stop();
});

test('a failed read is retried after the backoff and reading carries on', async () => {
  const { channel, consumer, source, sink } = setup();
  consumer.failNextPoll = new Error('broker gone');
  consumer.add(0, 0, 3);
  await source.start();
  await until(() => channel.size() === 3, 'the records after the failure');
  await drain(sink);
  await source.stop();
  assert.equal(consumer.committed()['t:0'], 3);
});

test('stop with undelivered events commits nothing for them, so a restart reads them again', async () => {
  const { channel, consumer, source, sink } = setup();
  consumer.add(0, 0, 5);
  await source.start();
  await until(() => channel.size() === 5, 'the first batch in the channel');
  await drain(sink);
  await until(() => consumer.committed()['t:0'] === 5, 'the first batch to be committed');
  consumer.add(0, 5, 5);
  await until(() => channel.size() === 5, 'the second batch in the channel');
  await source.stop();
  assert.equal(consumer.committed()['t:0'], 5, 'the undelivered second batch is not committed');
  assert.ok(consumer.closed);
});
