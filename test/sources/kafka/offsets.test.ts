import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckToken } from '../../../src/core/ack.ts';
import { type BatchPart, OffsetTracker, type PartitionState } from '../../../src/sources/kafka/offsets.ts';

const flush = () => new Promise((r) => setImmediate(r));

function batch(tracker: OffsetTracker, parts: Array<[number, number, number]>): AckToken {
  const token = new AckToken();
  token.hold(1);
  token.seal();
  const map = new Map<PartitionState, BatchPart>();
  for (const [partition, next, events] of parts) map.set(tracker.partition('t', partition), { next: BigInt(next), events });
  tracker.add(map, token);
  return token;
}

const all = new Set(['t:0', 't:1', 't:2']);
const offsets = (tracker: OffsetTracker, assigned: ReadonlySet<string> = all) =>
  tracker.take(assigned).map((o) => `${o.topic}:${o.partition}@${o.offset}`).sort();

test('a partition offset becomes committable only when every earlier batch of that partition is delivered', async () => {
  let ready = 0;
  const tracker = new OffsetTracker(() => ready++);
  const b1 = batch(tracker, [[0, 100, 100]]);
  const b2 = batch(tracker, [[0, 200, 100]]);
  const b3 = batch(tracker, [[0, 300, 100]]);
  b2.release(1);
  b3.release(1);
  await flush();
  assert.deepEqual(offsets(tracker), []);
  assert.equal(ready, 0);
  assert.equal(tracker.pendingEvents, 300);
  b1.release(1);
  await flush();
  assert.equal(ready, 1);
  assert.deepEqual(offsets(tracker), ['t:0@300']);
  assert.equal(tracker.pendingEvents, 0);
});

test('partitions advance independently: a stuck partition does not hold back another', async () => {
  const tracker = new OffsetTracker(() => {});
  const b1 = batch(tracker, [[0, 10, 10], [1, 5, 5]]);
  const b2 = batch(tracker, [[1, 9, 4]]);
  b2.release(1);
  await flush();
  assert.deepEqual(offsets(tracker), []);
  b1.release(1);
  await flush();
  assert.deepEqual(offsets(tracker), ['t:0@10', 't:1@9']);
});

test('only assigned partitions are handed out, and a failed commit is handed out again', async () => {
  const tracker = new OffsetTracker(() => {});
  batch(tracker, [[0, 10, 1], [1, 20, 1]]).release(1);
  await flush();
  assert.deepEqual(offsets(tracker, new Set(['t:1'])), ['t:1@20']);
  const taken = tracker.take(new Set(['t:0']));
  assert.deepEqual(taken, [{ topic: 't', partition: 0, offset: 10n }]);
  assert.deepEqual(offsets(tracker), []);
  tracker.restore(taken);
  assert.deepEqual(offsets(tracker), ['t:0@10']);
});

test('an offset at or below what was already committed is never handed out again', async () => {
  const tracker = new OffsetTracker(() => {});
  batch(tracker, [[0, 50, 50]]).release(1);
  await flush();
  assert.deepEqual(offsets(tracker), ['t:0@50']);
  // The same records read again after a rebalance complete later with a lower offset.
  batch(tracker, [[0, 30, 30]]).release(1);
  await flush();
  assert.deepEqual(offsets(tracker), []);
});

test('a partition lost in a rebalance is forgotten: its late deliveries are not committed', async () => {
  const tracker = new OffsetTracker(() => {});
  const b = batch(tracker, [[0, 10, 10], [1, 10, 10]]);
  tracker.retain(new Set(['t:1']));
  b.release(1);
  await flush();
  assert.deepEqual(offsets(tracker), ['t:1@10']);
  assert.equal(tracker.partition('t', 0).readTo, -1n, 'a reassigned partition starts afresh');
});

test('drained waits for delivery, but no longer than asked', async () => {
  const tracker = new OffsetTracker(() => {});
  const b = batch(tracker, [[0, 1, 1]]);
  const t0 = Date.now();
  await tracker.drained(50);
  assert.ok(Date.now() - t0 >= 45);
  assert.ok(tracker.oldestAgeMs() >= 45);
  setTimeout(() => b.release(1), 10);
  await tracker.drained(5000);
  assert.equal(tracker.pendingEvents, 0);
  assert.equal(tracker.oldestAgeMs(), 0);
});
