import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../src/core/logger.ts';
import { SinkCounter } from '../../../src/core/metrics.ts';
import type { KafkaProducer, ProducerRecord } from '../../../src/kafka/client.ts';
import { KafkaSink, type KafkaSinkConfig } from '../../../src/sinks/kafka/sink.ts';
import { events, memory } from '../../helpers/components.ts';
import { recordPlan } from './plan.ts';

class FakeProducer implements KafkaProducer {
  readonly sent: ProducerRecord[][] = [];
  fail = false;
  release: (() => void) | undefined;
  closed = false;

  async send(records: ProducerRecord[]): Promise<void> {
    await new Promise<void>((r) => {
      this.release = r;
    });
    if (this.fail) throw new Error('not enough replicas');
    this.sent.push(records);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function setup() {
  const channel = memory('c1', 100, 100, 0);
  const producer = new FakeProducer();
  const config: KafkaSinkConfig = {
    producer: { brokers: ['b:9092'], acks: 1, compression: 'none', settings: {} },
    batchSize: 10,
    inFlight: 1,
    plan: recordPlan({ topic: 'out' }),
  };
  const sink = new KafkaSink({ agent: 'a1', name: 'k1', logger: silentLogger, channel, counter: new SinkCounter('k1') }, config, () => producer);
  return { channel, producer, sink };
}

async function put(channel: ReturnType<typeof memory>, n: number): Promise<void> {
  const tx = channel.beginPut();
  tx.put(events(n), null);
  await tx.commit();
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
}

test('the channel transaction commits only after the brokers acknowledged the whole batch', async () => {
  const { channel, producer, sink } = setup();
  await sink.start();
  await put(channel, 7);
  const done = sink.process();
  await waitFor(() => producer.release !== undefined);
  assert.equal(channel.size(), 0, 'the batch is taken');
  // While the send is pending, the events still count against the channel: nothing is committed yet.
  await assert.rejects(put(channel, 94), /full/);
  producer.release!();
  assert.equal(await done, 'READY');
  assert.deepEqual(producer.sent[0]!.map((r) => r.value.toString()), ['0', '1', '2', '3', '4', '5', '6']);
  await put(channel, 93);
  await sink.stop();
  assert.ok(producer.closed);
});

test('a failed send rolls the batch back into the channel in its order, for the runner to retry', async () => {
  const { channel, producer, sink } = setup();
  await sink.start();
  await put(channel, 3);
  producer.fail = true;
  const done = sink.process();
  await waitFor(() => producer.release !== undefined);
  producer.release!();
  await assert.rejects(done, /not enough replicas/);
  assert.equal(channel.size(), 3);
  producer.fail = false;
  producer.release = undefined;
  const retry = sink.process();
  await waitFor(() => producer.release !== undefined);
  producer.release!();
  assert.equal(await retry, 'READY');
  assert.deepEqual(producer.sent[0]!.map((r) => r.value.toString()), ['0', '1', '2']);
  await sink.stop();
});
