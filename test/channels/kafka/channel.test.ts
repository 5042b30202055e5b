import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KafkaChannel } from '../../../src/channels/kafka/channel.ts';
import { kafkaChannelConfig, kafkaChannelOptions } from '../../../src/channels/kafka/options.ts';
import { parseOptions } from '../../../src/config/schema.ts';
import { withTransaction } from '../../../src/core/channel.ts';
import { ChannelProcessor } from '../../../src/core/channel-processor.ts';
import type { Event } from '../../../src/core/event.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { ChannelCounter } from '../../../src/core/metrics.ts';
import { ReplicatingSelector } from '../../../src/core/selectors.ts';
import { isSluiceError } from '../../../src/errors.ts';
import { bodies, events } from '../../helpers/components.ts';
import { type FakeConsumer, FakeTopic } from './fake-kafka.ts';

function setup(props: Record<string, string> = {}, partitions = 1) {
  const topic = new FakeTopic('t', partitions);
  const consumers: FakeConsumer[] = [];
  const raw = { 'kafka.bootstrap.servers': 'b:9092', 'kafka.topic': 't', 'kafka.pollTimeout': '20', ...props };
  const { options: o, errors } = parseOptions(kafkaChannelOptions, new Map(Object.entries(raw).map(([k, v]) => [k, { value: v }])));
  assert.deepEqual(errors, []);
  const counter = new ChannelCounter('c1');
  const channel = new KafkaChannel({ agent: 'a1', name: 'c1', logger: silentLogger, counter }, kafkaChannelConfig(o), {
    producer: () => topic.producer(),
    consumer: () => {
      const c = topic.consumer();
      consumers.push(c);
      return c;
    },
  });
  return { topic, channel, counter, consumers };
}

async function put(channel: KafkaChannel, list: Event[]): Promise<void> {
  await withTransaction(channel.beginPut(), (tx) => tx.put(list, null));
}

async function takeAll(channel: KafkaChannel, max = 100): Promise<Event[]> {
  return withTransaction(channel.beginTake(), (tx) => tx.take(max, 50));
}

describe('Kafka channel', () => {
  test('is durable, sets no transaction capacity and reports capacity 0 as Flume does', async () => {
    const { channel } = setup();
    assert.equal(channel.durable, true);
    assert.equal(channel.transactionCapacity, undefined);
    assert.equal(channel.capacity(), 0);
  });

  test('a put round-trips through the topic with headers and body, as Avro Flume events by default', async () => {
    const { channel, topic, counter } = setup();
    await channel.start();
    await put(channel, events(3, 0, (i) => ({ n: String(i), key: `k${i}` })));
    assert.equal(topic.logs[0]!.length, 3);
    assert.equal(topic.logs[0]![0]!.key!.toString(), 'k0');
    // {n: "1", key: "k1"} + body "1" as a bare AvroFlumeEvent datum (flume-wire.md §2).
    assert.deepEqual([...topic.logs[0]![1]!.value!], [0x04, 0x02, 0x6e, 0x02, 0x31, 0x06, 0x6b, 0x65, 0x79, 0x04, 0x6b, 0x31, 0x00, 0x02, 0x31]);
    const taken = await takeAll(channel);
    assert.deepEqual(bodies(taken), ['0', '1', '2']);
    assert.deepEqual(taken[2]!.headers, { n: '2', key: 'k2' });
    assert.equal(counter.putSuccess, 3);
    assert.equal(counter.takeSuccess, 3);
    await channel.stop();
  });

  test('with parseAsFlumeEvent = false only the body is stored, and the record key comes back as the key header', async () => {
    const { channel, topic } = setup({ parseAsFlumeEvent: 'false' });
    await channel.start();
    await put(channel, events(2, 0, (i): Record<string, string> => (i === 0 ? { key: 'a', other: 'x' } : { other: 'y' })));
    assert.equal(topic.logs[0]![0]!.value!.toString(), '0');
    const taken = await takeAll(channel);
    assert.deepEqual(taken.map((e) => e.headers), [{ key: 'a' }, {}]);
    await channel.stop();
  });

  test('a put commit resolves only after the producer acknowledged, and a refused send fails the commit with nothing counted', async () => {
    const { channel, topic, counter } = setup();
    await channel.start();
    topic.failSends = 1;
    await assert.rejects(put(channel, events(2)), (err) => isSluiceError(err, 'SLUICE_CHANNEL_IO') && /could not put 2 events to topic "t": broker down/.test(err.message));
    assert.equal(topic.logs[0]!.length, 0);
    assert.equal(counter.putSuccess, 0);
    await put(channel, events(2));
    assert.equal(topic.logs[0]!.length, 2);
    await channel.stop();
  });

  test('a source acknowledgement resolves at the put commit, since the channel is durable', async () => {
    const { channel } = setup();
    await channel.start();
    const processor = new ChannelProcessor(new ReplicatingSelector([channel]), undefined, silentLogger);
    const token = await processor.processBatch(events(5));
    assert.equal(token.isDelivered, true);
    await channel.stop();
  });

  test('defaultPartitionId places every put; partitionIdHeader wins and a non-integer value fails the put', async () => {
    const { channel, topic } = setup({ defaultPartitionId: '1', partitionIdHeader: 'p' }, 3);
    await channel.start();
    await put(channel, events(3, 0, (i): Record<string, string> => (i === 2 ? { p: '2' } : {})));
    assert.deepEqual(topic.logs.map((l) => l.length), [0, 2, 1]);
    const tx = channel.beginPut();
    assert.throws(() => tx.put(events(1, 0, () => ({ p: 'two' })), null), (err) => isSluiceError(err) && /"two" is not a partition number/.test(err.message));
    await tx.rollback();
    await channel.stop();
  });

  test('offsets are committed by the take commit and only then', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, ['a', 'b', 'c'].map((v) => encode(v)));
    const tx = channel.beginTake();
    assert.deepEqual(bodies(await tx.take(2, 50)), ['a', 'b']);
    assert.equal(topic.committed.get('t:0'), undefined);
    await tx.commit();
    assert.equal(topic.committed.get('t:0'), 2n);
    await channel.stop();
  });

  test('a rolled-back take hands the same events out again, first and in order, and then commits past them', async () => {
    const { channel, topic, counter } = setup();
    await channel.start();
    topic.write(0, ['a', 'b', 'c', 'd'].map((v) => encode(v)));
    const tx = channel.beginTake();
    assert.deepEqual(bodies(await tx.take(3, 50)), ['a', 'b', 'c']);
    await tx.rollback();
    assert.equal(channel.size(), 3);
    const again = channel.beginTake();
    assert.deepEqual(bodies(await again.take(2, 50)), ['a', 'b']);
    assert.deepEqual(bodies(await again.take(5, 50)), ['c']);
    assert.deepEqual(bodies(await again.take(5, 50)), ['d']);
    assert.equal(topic.committed.get('t:0'), undefined);
    await again.commit();
    assert.equal(topic.committed.get('t:0'), 4n);
    assert.equal(channel.size(), 0);
    assert.equal(counter.takeSuccess, 4);
    await channel.stop();
  });

  test('a commit of part of the given-back events moves the offset past that part alone', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, ['a', 'b', 'c', 'd'].map((v) => encode(v)));
    const tx = channel.beginTake();
    assert.deepEqual(bodies(await tx.take(4, 50)), ['a', 'b', 'c', 'd']);
    await tx.rollback();
    const part = channel.beginTake();
    assert.deepEqual(bodies(await part.take(1, 50)), ['a']);
    const rest = channel.beginTake();
    assert.deepEqual(bodies(await rest.take(2, 50)), ['b', 'c']);
    await rest.commit();
    assert.equal(topic.committed.get('t:0'), undefined, 'not past "a", which is still open');
    await part.commit();
    assert.equal(topic.committed.get('t:0'), 3n);
    assert.deepEqual(bodies(await takeAll(channel)), ['d']);
    assert.equal(topic.committed.get('t:0'), 4n);
    await channel.stop();
  });

  test('concurrent takes commit no offset past an event another open take still holds', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, ['a', 'b'].map((v) => encode(v)));
    const first = channel.beginTake();
    assert.deepEqual(bodies(await first.take(2, 50)), ['a', 'b']);
    topic.write(0, ['c', 'd'].map((v) => encode(v)));
    const second = channel.beginTake();
    assert.deepEqual(bodies(await second.take(2, 50)), ['c', 'd']);
    await second.commit();
    assert.equal(topic.committed.get('t:0'), undefined);
    await first.commit();
    assert.equal(topic.committed.get('t:0'), 4n);
    await channel.stop();
  });

  test('after a rebalance, records re-read from the committed offset that the channel already handed out are not taken twice', async () => {
    const { channel, topic, consumers } = setup({}, 2);
    await channel.start();
    topic.write(0, ['a0', 'b0'].map((v) => encode(v)));
    topic.write(1, ['a1', 'b1'].map((v) => encode(v)));
    const open = channel.beginTake();
    assert.deepEqual(bodies(await open.take(10, 50)).sort(), ['a0', 'a1', 'b0', 'b1']);
    await open.rollback();
    consumers[0]!.rebalance([0]);
    // Partition 1 went to another member: its given-back events are dropped; partition 0's are kept.
    assert.equal(channel.size(), 2);
    const tx = channel.beginTake();
    assert.deepEqual(bodies(await tx.take(10, 50)), ['a0', 'b0']);
    assert.deepEqual(bodies(await tx.take(10, 50)), []);
    await tx.commit();
    assert.deepEqual(topic.commits.at(-1), [{ topic: 't', partition: 0, offset: 2n }]);
    await channel.stop();
  });

  test('a refused offset commit still commits the take and is retried with the next commit', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, ['a'].map((v) => encode(v)));
    topic.failCommits = 1;
    assert.deepEqual(bodies(await takeAll(channel)), ['a']);
    assert.equal(topic.committed.get('t:0'), undefined);
    topic.write(0, ['b'].map((v) => encode(v)));
    assert.deepEqual(bodies(await takeAll(channel)), ['b']);
    assert.equal(topic.committed.get('t:0'), 2n);
    await channel.stop();
  });

  test('a take that cannot read finds the channel empty after its wait, and the next take reads again', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, [encode('a')]);
    topic.failPolls = 1;
    const started = Date.now();
    assert.deepEqual(await takeAll(channel), []);
    assert.ok(Date.now() - started >= 15, 'the take waited for its poll timeout instead of returning at once');
    assert.deepEqual(bodies(await takeAll(channel)), ['a']);
    await channel.stop();
  });

  test('a record that is not a Flume event is dropped and its offset still committed', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, [encode('a'), Buffer.from([0x07]), encode('c')]);
    assert.deepEqual(bodies(await takeAll(channel)), ['a', 'c']);
    assert.equal(topic.committed.get('t:0'), 3n);
    await channel.stop();
  });

  test('a channel that is only put to never opens a consumer, and one only taken from never opens a producer', async () => {
    const putOnly = setup();
    await putOnly.channel.start();
    await put(putOnly.channel, events(2));
    await putOnly.channel.stop();
    assert.deepEqual([putOnly.topic.producers, putOnly.topic.consumers], [1, 0]);

    const takeOnly = setup();
    await takeOnly.channel.start();
    takeOnly.topic.write(0, [encode('x')]);
    assert.deepEqual(bodies(await takeAll(takeOnly.channel)), ['x']);
    await takeOnly.channel.stop();
    assert.deepEqual([takeOnly.topic.producers, takeOnly.topic.consumers], [0, 1]);
    assert.equal(takeOnly.consumers[0]!.closed, true);
  });

  test('a stopped channel refuses puts and takes nothing', async () => {
    const { channel, topic } = setup();
    await channel.start();
    topic.write(0, [encode('x')]);
    await channel.stop();
    await assert.rejects(put(channel, events(1)), (err) => isSluiceError(err, 'SLUICE_CHANNEL_CLOSED'));
    assert.deepEqual(await takeAll(channel), []);
  });
});

/** A bare AvroFlumeEvent datum with no headers. */
function encode(body: string): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([Buffer.from([0x00, b.length * 2]), b]);
}
