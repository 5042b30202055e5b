import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Event } from '../../../src/core/event.ts';
import { BatchingSink } from '../../../src/sinks/util/batching-sink.ts';
import { bodies, events, memory } from '../../helpers/components.ts';
import { sinkContext } from '../../helpers/configure.ts';

/** Deliveries wait until the test settles them, so several can be in flight. */
class HeldSink extends BatchingSink {
  readonly held: { batch: Event[]; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(readonly context: ReturnType<typeof sinkContext>, maxInFlight: number) {
    super(context, { batchSize: 10, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: 10, maxInFlight });
  }

  protected deliver(batch: Event[]): Promise<void> {
    return new Promise((resolve, reject) => this.held.push({ batch, resolve, reject }));
  }
}

async function filled(n: number) {
  const channel = memory('c1', 1000, 100);
  const tx = channel.beginPut();
  tx.put(events(n), null);
  await tx.commit();
  return channel;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('BatchingSink with maxInFlight', () => {
  it('hands several batches to deliver at once and commits each only when its delivery resolves', async () => {
    const channel = await filled(30);
    const sink = new HeldSink(sinkContext(channel), 3);
    for (let i = 0; i < 3; i++) assert.equal(await sink.process(), 'READY');
    assert.equal(sink.held.length, 3);
    assert.deepEqual(bodies(sink.held[1]!.batch), ['10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
    // A fourth process() waits for room: nothing more is taken while three deliveries are pending.
    let fourth = false;
    const next = sink.process().then(() => (fourth = true));
    await tick();
    assert.equal(fourth, false);
    sink.held[1]!.resolve();
    await next;
    assert.equal(sink.context.counter.drainSuccess, 10);
    for (const h of [sink.held[0]!, sink.held[2]!]) h.resolve();
    await sink.stop();
    assert.equal(sink.context.counter.drainSuccess, 30);
    assert.equal(channel.size(), 0);
  });

  it('rolls a failed batch back into the channel and rethrows the failure from the next process()', async () => {
    const channel = await filled(20);
    const sink = new HeldSink(sinkContext(channel), 2);
    await sink.process();
    await sink.process();
    sink.held[0]!.reject(new Error('destination down'));
    sink.held[1]!.resolve();
    await tick();
    await tick();
    await assert.rejects(sink.process(), /destination down/);
    assert.equal(channel.size(), 10);
    assert.equal(sink.context.counter.eventWriteFail, 1);
    await sink.stop();
  });

  it('reports BACKOFF for an empty channel without waiting for deliveries in flight', async () => {
    const channel = await filled(10);
    const sink = new HeldSink(sinkContext(channel), 4);
    assert.equal(await sink.process(), 'READY');
    assert.equal(await sink.process(), 'BACKOFF');
    sink.held[0]!.resolve();
    await sink.stop();
    assert.equal(sink.context.counter.drainSuccess, 10);
  });
});
