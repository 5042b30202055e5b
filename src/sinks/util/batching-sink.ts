/**
 * The sink toolkit's base: one take transaction per batch, filled until it reaches `batchSize`
 * events, `batchBytes` body bytes, or `batchTimeoutMs` of waiting; then `deliver`, then commit.
 * A sink only implements `deliver` (plus start/stop for its connections): the commit, which releases
 * acknowledgement tokens, happens only after `deliver` resolved, i.e. after the destination confirmed.
 */
import { withTransaction } from '../../core/channel.ts';
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
}

export const IDLE_WAIT_MS = 1000;

export abstract class BatchingSink implements Sink {
  constructor(
    protected readonly ctx: SinkContext,
    protected readonly policy: BatchPolicy,
  ) {}

  async start(): Promise<void> {
    this.ctx.counter.start();
  }

  async stop(): Promise<void> {
    this.ctx.counter.stop();
  }

  /** Writes a batch; resolves only once the destination has it (flushed, acknowledged). */
  protected abstract deliver(events: Event[]): Promise<void>;

  process(): Promise<SinkStatus> {
    const { counter, channel } = this.ctx;
    return withTransaction(channel.beginTake(), async (tx) => {
      const p = this.policy;
      let events = await tx.take(p.batchSize, p.idleWaitMs);
      if (events.length === 0) {
        counter.batchEmpty++;
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
        await this.deliver(events);
      } catch (err) {
        counter.eventWriteFail++;
        throw err;
      }
      counter.drainSuccess += events.length;
      return 'READY';
    });
  }
}
