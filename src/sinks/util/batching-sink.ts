/**
 * The sink toolkit's base: one take transaction per batch, filled until it reaches `batchSize`
 * events, `batchBytes` body bytes, or `batchTimeoutMs` of waiting; then `deliver`, then commit.
 * A sink only implements `deliver` (plus start/stop for its connections): the commit, which releases
 * acknowledgement tokens, happens only after `deliver` resolved, i.e. after the destination confirmed.
 * With `maxInFlight` > 1, `process` returns once a batch is handed to `deliver`, so a sink whose
 * destination has a high per-write latency can gather several transactions into one write; each still
 * commits only when its own `deliver` resolves, and a failure is rethrown by the next `process`.
 */
import { type TakeTransaction, withTransaction } from '../../core/channel.ts';
import type { Sink, SinkContext, SinkStatus } from '../../core/component.ts';
import { bodyBytes, type Event } from '../../core/event.ts';

export interface BatchPolicy {
  batchSize: number;
  /** 0: no byte limit. */
  batchBytes: number;
  /** How long to keep filling a started batch; 0 takes what the channel has (as Flume does). */
  batchTimeoutMs: number;
  /** How long an empty channel is waited on before reporting BACKOFF. */
  idleWaitMs: number;
  /** Transactions that may wait on `deliver` at once; 1 (the default) when absent. */
  maxInFlight?: number;
}

export const IDLE_WAIT_MS = 1000;

export abstract class BatchingSink implements Sink {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  /** Set only while `agent tap` watches this sink: called with each batch the destination confirmed. */
  tap: ((events: Event[]) => void) | undefined;

  constructor(
    protected readonly ctx: SinkContext,
    protected readonly policy: BatchPolicy,
  ) {}

  async start(): Promise<void> {
    this.ctx.counter.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.inFlight);
    this.ctx.counter.stop();
  }

  /** Writes a batch; resolves only once the destination has it (flushed, acknowledged). */
  protected abstract deliver(events: Event[]): Promise<void>;

  async process(): Promise<SinkStatus> {
    const max = this.policy.maxInFlight ?? 1;
    if (max <= 1) return withTransaction(this.ctx.channel.beginTake(), (tx) => this.takeAndDeliver(tx, (d) => d));
    while (this.inFlight.size >= max) await Promise.race(this.inFlight);
    this.rethrowFailure();
    let status: SinkStatus = 'READY';
    const tx = this.ctx.channel.beginTake();
    // The transaction stays open after process() returns; its own chain commits or rolls it back.
    const started = new Promise<void>((handed) => {
      const done = withTransaction(tx, (t) =>
        this.takeAndDeliver(t, (d, empty) => {
          if (empty) status = 'BACKOFF';
          handed();
          return d;
        }),
      ).then(
        () => undefined,
        (err: unknown) => {
          this.failure ??= err;
        },
      );
      const tracked = done.finally(() => {
        this.inFlight.delete(tracked);
        handed();
      });
      this.inFlight.add(tracked);
    });
    await started;
    this.rethrowFailure();
    return status;
  }

  private rethrowFailure(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    this.failure = undefined;
    throw err;
  }

  /** Takes one batch and delivers it; `handOff` sees the delivery promise before it is awaited. */
  private async takeAndDeliver(tx: TakeTransaction, handOff: (delivery: Promise<void>, empty: boolean) => Promise<void>): Promise<SinkStatus> {
    const { counter } = this.ctx;
    const p = this.policy;
    let events = await tx.take(p.batchSize, p.idleWaitMs);
    if (events.length === 0) {
      counter.batchEmpty++;
      await handOff(Promise.resolve(), true);
      return 'BACKOFF';
    }
    if (events.length < p.batchSize && (p.batchTimeoutMs > 0 || p.batchBytes > 0)) {
      const deadline = Date.now() + p.batchTimeoutMs;
      let bytes = p.batchBytes > 0 ? bodyBytes(events) : 0;
      while (events.length < p.batchSize && (p.batchBytes === 0 || bytes < p.batchBytes)) {
        const more = await tx.take(p.batchSize - events.length, Math.max(0, deadline - Date.now()));
        if (more.length === 0) break;
        events = events.concat(more);
        if (p.batchBytes > 0) bytes += bodyBytes(more);
      }
    }
    if (events.length === p.batchSize) counter.batchComplete++;
    else counter.batchUnderflow++;
    counter.drainAttempt += events.length;
    try {
      await handOff(this.deliver(events), false);
    } catch (err) {
      counter.eventWriteFail++;
      throw err;
    }
    counter.drainSuccess += events.length;
    if (this.tap) this.tap(events);
    return 'READY';
  }
}
