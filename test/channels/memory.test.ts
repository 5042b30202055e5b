import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckToken } from '../../src/core/ack.ts';
import { withTransaction } from '../../src/core/channel.ts';
import { isSluiceError } from '../../src/errors.ts';
import { bodies, events, memory } from '../helpers/components.ts';

async function put(ch: ReturnType<typeof memory>, list = events(1), token: AckToken | null = null) {
  await withTransaction(ch.beginPut(), (tx) => tx.put(list, token));
}

describe('memory channel', () => {
  test('puts are invisible until commit and discarded on rollback', async () => {
    const ch = memory();
    const tx = ch.beginPut();
    tx.put(events(3), null);
    assert.equal(ch.size(), 0);
    await tx.rollback();
    assert.equal(ch.size(), 0);
    await put(ch, events(3));
    assert.equal(ch.size(), 3);
  });

  test('a take rollback returns the events to the head in their original order', async () => {
    const ch = memory();
    await put(ch, events(5));
    const tx = ch.beginTake();
    assert.deepEqual(bodies(await tx.take(3)), ['0', '1', '2']);
    await tx.rollback();
    const again = ch.beginTake();
    assert.deepEqual(bodies(await again.take(10)), ['0', '1', '2', '3', '4']);
    await again.commit();
    assert.equal(ch.size(), 0);
  });

  test('a take spanning several put batches returns them in order without changing the stored batches', async () => {
    const ch = memory();
    const first = events(2, 0);
    await put(ch, first);
    await put(ch, events(2, 2));
    const tx = ch.beginTake();
    assert.deepEqual(bodies(await tx.take(3)), ['0', '1', '2']);
    assert.equal(first.length, 2, 'the first put array was not appended to');
    await tx.commit();
    assert.equal(ch.size(), 1);
  });

  test('a put larger than transactionCapacity fails at once', async () => {
    const ch = memory('c1', 1000, 10);
    const tx = ch.beginPut();
    assert.throws(() => tx.put(events(11), null), (e) => isSluiceError(e, 'SLUICE_CHANNEL_TX_CAPACITY'));
  });

  test('a take never returns more than transactionCapacity over the transaction', async () => {
    const ch = memory('c1', 1000, 10);
    for (let i = 0; i < 3; i++) await put(ch, events(10, i * 10));
    const tx = ch.beginTake();
    assert.equal((await tx.take(8)).length, 8);
    assert.equal((await tx.take(8)).length, 2);
    await tx.commit();
  });

  test('a full channel refuses a put commit with SLUICE_CHANNEL_FULL after keep-alive', async () => {
    const ch = memory('c1', 10, 10, 0);
    await put(ch, events(10));
    await assert.rejects(put(ch, events(1)), (e) => isSluiceError(e, 'SLUICE_CHANNEL_FULL'));
    assert.equal(ch.size(), 10, 'nothing was dropped or added');
  });

  test('events taken but not yet committed still count against capacity, as in Flume', async () => {
    const ch = memory('c1', 10, 10, 0);
    await put(ch, events(10));
    const tx = ch.beginTake();
    await tx.take(5);
    await assert.rejects(put(ch, events(1)), (e) => isSluiceError(e, 'SLUICE_CHANNEL_FULL'));
    await tx.commit();
    await put(ch, events(5));
    assert.equal(ch.size(), 10);
  });

  test('a put commit waits for room within keep-alive', async () => {
    const ch = memory('c1', 2, 2, 1);
    await put(ch, events(2));
    const waiting = put(ch, events(1, 2));
    const take = ch.beginTake();
    await take.take(1);
    await take.commit();
    await waiting;
    assert.equal(ch.size(), 2);
  });

  test('byteCapacity limits body bytes', async () => {
    const { MemoryChannel, memoryConfig } = await import('../../src/channels/memory.ts');
    const { ChannelCounter } = await import('../../src/core/metrics.ts');
    const ch = new MemoryChannel('b', memoryConfig({ capacity: 100, transactionCapacity: 100, 'keep-alive': 0, byteCapacity: 125, byteCapacityBufferPercentage: 20 }), new ChannelCounter('b'));
    await put(ch, [{ headers: {}, body: Buffer.alloc(100) }]);
    await assert.rejects(put(ch, [{ headers: {}, body: Buffer.alloc(1) }]), (e) => isSluiceError(e, 'SLUICE_CHANNEL_BYTE_CAPACITY'));
  });

  test('a take with waitMs wakes as soon as a put commits', async () => {
    const ch = memory();
    const tx = ch.beginTake();
    const started = Date.now();
    const pending = tx.take(10, 2000);
    setTimeout(() => void put(ch, events(2)), 20);
    assert.equal((await pending).length, 2);
    assert.ok(Date.now() - started < 1500);
    await tx.commit();
  });

  test('acknowledgement tokens are released by take commits, not by takes or rollbacks', async () => {
    const ch = memory();
    const token = new AckToken();
    await put(ch, events(4), token);
    token.seal();
    const tx = ch.beginTake();
    await tx.take(4);
    await tx.rollback();
    assert.equal(token.isDelivered, false);
    const a = ch.beginTake();
    await a.take(3);
    await a.commit();
    assert.equal(token.isDelivered, false);
    const b = ch.beginTake();
    await b.take(3);
    await b.commit();
    assert.equal(token.isDelivered, true);
  });

  test('counters follow puts and takes', async () => {
    const ch = memory();
    await put(ch, events(3));
    const tx = ch.beginTake();
    await tx.take(2);
    await tx.commit();
    const c = (ch as unknown as { counter: import('../../src/core/metrics.ts').ChannelCounter }).counter;
    assert.equal(c.putSuccess, 3);
    assert.equal(c.takeSuccess, 2);
    assert.equal(c.values().ChannelSize, 1);
  });
});
