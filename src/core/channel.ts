/**
 * The channel contract. Flume's transactions mix puts and takes on one thread-bound object; in
 * practice sources only put and sinks only take, so Sluice splits them into two transaction kinds.
 * Semantics follow Flume: a put is invisible until commit and discarded on rollback; a take
 * rollback returns the events to the head of the queue in their original order.
 */
import type { AckToken } from './ack.ts';
import type { Event } from './event.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface PutTransaction {
  /** Stages events; throws SLUICE_CHANNEL_TX_CAPACITY past `transactionCapacity`. */
  put(events: Event[], token: AckToken | null): void;
  /** Makes the puts visible; may wait `keep-alive` for room, then throws SLUICE_CHANNEL_FULL. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface TakeTransaction {
  /**
   * Takes up to `max` events. With `waitMs` > 0 and an empty channel, waits up to that long for
   * the first event; returns what is there (possibly nothing), never more than `max`.
   */
  take(max: number, waitMs?: number): Promise<Event[]>;
  /** Removes the taken events for good and releases their acknowledgement tokens. */
  commit(): Promise<void>;
  /** Puts the taken events back at the head of the channel. */
  rollback(): Promise<void>;
}

export type Transaction = PutTransaction | TakeTransaction;

export interface Channel extends Lifecycle {
  readonly name: string;
  /** True when a committed put survives a crash: acknowledgement tokens resolve at put commit. */
  readonly durable: boolean;
  /** Most events one transaction may put or take; undefined when the channel sets no limit. */
  readonly transactionCapacity: number | undefined;
  beginPut(): PutTransaction;
  beginTake(): TakeTransaction;
  /** Events currently queued (committed, not taken). */
  size(): number;
  capacity(): number;
}

/**
 * Runs `fn` inside a transaction: commit on success, rollback when `fn` or the commit throws, and
 * the original error is rethrown. Every source path and sink uses this instead of repeating Flume's
 * begin/commit/rollback/close block.
 */
export async function withTransaction<X extends Transaction, T>(
  tx: X,
  fn: (tx: X) => Promise<T> | T,
): Promise<T> {
  let result: T;
  try {
    result = await fn(tx);
    await tx.commit();
  } catch (err) {
    await tx.rollback().catch(() => undefined);
    throw err;
  }
  return result;
}
