import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckToken, AckWindow } from '../../src/core/ack.ts';

describe('AckToken', () => {
  test('resolves only after it is sealed and every held event is released', async () => {
    const t = new AckToken();
    t.hold(3);
    t.release(3);
    assert.equal(t.isDelivered, false, 'not sealed yet: more puts may follow');
    t.hold(2);
    t.seal();
    assert.equal(t.isDelivered, false);
    t.release(1);
    assert.equal(t.isDelivered, false);
    t.release(1);
    assert.equal(t.isDelivered, true);
    await t.delivered;
  });

  test('a batch that holds nothing (all events dropped or durable channels) is delivered at seal', () => {
    const t = new AckToken();
    t.seal();
    assert.equal(t.isDelivered, true);
  });
});

describe('AckWindow', () => {
  test('advances only to the end of the longest delivered prefix when batches complete out of order', async () => {
    const seen: number[] = [];
    const w = new AckWindow<number>((p) => seen.push(p));
    const tokens = [new AckToken(), new AckToken(), new AckToken()];
    tokens.forEach((t, i) => {
      t.hold(10);
      t.seal();
      w.add((i + 1) * 10, t, 10);
    });
    assert.equal(w.pendingEvents, 30);
    tokens[2]!.release(10);
    tokens[1]!.release(10);
    await tick();
    assert.deepEqual(seen, [], 'batch 1 is still out: nothing may be checkpointed');
    tokens[0]!.release(10);
    await tick();
    assert.deepEqual(seen, [30], 'all three delivered: one jump to the end');
    assert.equal(w.pendingEvents, 0);
    assert.equal(w.pendingBatches, 0);
  });

  test('waitForRoom blocks a source until deliveries free the window', async () => {
    const w = new AckWindow<number>(() => undefined);
    const t = new AckToken();
    t.hold(5);
    t.seal();
    w.add(5, t, 5);
    let released = false;
    const waiting = w.waitForRoom(2).then(() => {
      released = true;
    });
    await tick();
    assert.equal(released, false);
    t.release(5);
    await waiting;
    assert.equal(released, true);
  });

  test('a batch that was never delivered (shutdown) keeps the checkpoint where it was', async () => {
    const seen: number[] = [];
    const w = new AckWindow<number>((p) => seen.push(p));
    const a = new AckToken();
    a.seal();
    w.add(1, a, 1);
    const b = new AckToken();
    b.hold(1);
    b.seal();
    w.add(2, b, 1);
    await tick();
    assert.deepEqual(seen, [1]);
    assert.equal(w.pendingBatches, 1);
    assert.ok(w.oldestAgeMs() >= 0);
  });
});

function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
