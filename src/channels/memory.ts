/**
 * `memory` channel (org.apache.flume.channel.MemoryChannel): a bounded in-process queue.
 *
 * As in Flume, capacity counts queued events plus events taken by open transactions; a put commit
 * waits up to `keep-alive` seconds for room, then fails with SLUICE_CHANNEL_FULL so the source backs
 * off. Not durable: its acknowledgement tokens resolve only when a sink commits, so a replayable
 * source re-reads whatever a crash lost. `byteCapacity` counts body bytes exactly (Flume rounds to
 * 100-byte slots); its default is 80% of the V8 heap limit, as Flume's is 80% of the JVM heap.
 */
import { getHeapStatistics } from 'node:v8';
import { opt } from '../config/schema.ts';
import type { AckToken } from '../core/ack.ts';
import type { Channel, PutTransaction, TakeTransaction } from '../core/channel.ts';
import { defineChannel } from '../core/component.ts';
import { bodyBytes, type Event } from '../core/event.ts';
import type { ChannelCounter } from '../core/metrics.ts';
import { SluiceError } from '../errors.ts';
import { ChunkQueue, type Piece } from './queue.ts';

const options = {
  capacity: opt.int('Most events the channel holds.', { default: 100, min: 1 }),
  transactionCapacity: opt.int('Most events one put or take transaction may carry.', { default: 100, min: 1 }),
  'keep-alive': opt.int('Seconds a put commit waits for room (and a take for data) before giving up.', { default: 3, min: 0 }),
  byteCapacity: opt.int('Most body bytes held; 0 means no limit. Default: 80% of the heap limit.', { min: 0 }),
  byteCapacityBufferPercentage: opt.int('Share of byteCapacity kept free as headroom.', { default: 20, min: 0, max: 100 }),
};

export interface MemoryChannelConfig {
  capacity: number;
  transactionCapacity: number;
  keepAliveMs: number;
  byteCapacity: number;
}

type Waiter = () => void;

export class MemoryChannel implements Channel {
  readonly durable = false;
  private readonly queue = new ChunkQueue();
  /** Events queued plus events held by open take transactions. */
  private used = 0;
  private bytes = 0;
  private putWaiters: Waiter[] = [];
  private takeWaiters: Waiter[] = [];

  constructor(
    readonly name: string,
    private config: MemoryChannelConfig,
    private readonly counter: ChannelCounter,
  ) {
    counter.size = () => this.queue.count;
    counter.capacity = () => this.config.capacity;
  }

  get transactionCapacity(): number {
    return this.config.transactionCapacity;
  }

  /** Hot reload: Flume keeps a memory channel's events across a reconfiguration. */
  reconfigure(config: MemoryChannelConfig): void {
    this.config = config;
    wake(this.putWaiters);
  }

  async start(): Promise<void> {
    this.counter.start();
  }

  async stop(): Promise<void> {
    this.counter.stop();
    wake(this.takeWaiters);
    wake(this.putWaiters);
  }

  size(): number {
    return this.queue.count;
  }

  capacity(): number {
    return this.config.capacity;
  }

  beginPut(): PutTransaction {
    const ch = this;
    const staged: Array<[Event[], AckToken | null]> = [];
    let count = 0;
    let bytes = 0;
    return {
      put(events, token) {
        ch.counter.putAttempt += events.length;
        if (count + events.length > ch.config.transactionCapacity) {
          throw new SluiceError('SLUICE_CHANNEL_TX_CAPACITY', `Put of ${count + events.length} events exceeds transactionCapacity ${ch.config.transactionCapacity} of channel "${ch.name}".`);
        }
        staged.push([events, token]);
        count += events.length;
        bytes += bodyBytes(events);
      },
      async commit() {
        if (count === 0) return;
        await ch.reserve(count, bytes);
        for (const [events, token] of staged) {
          token?.hold(events.length);
          ch.queue.push(events, token);
        }
        ch.counter.putSuccess += count;
        staged.length = 0;
        count = bytes = 0;
        wake(ch.takeWaiters);
      },
      async rollback() {
        staged.length = 0;
        count = bytes = 0;
      },
    };
  }

  beginTake(): TakeTransaction {
    const ch = this;
    const pieces: Piece[] = [];
    let taken = 0;
    return {
      async take(max, waitMs = 0) {
        if (ch.queue.count === 0 && waitMs > 0) await ch.waitForData(waitMs);
        const n = Math.min(max, ch.config.transactionCapacity - taken);
        ch.counter.takeAttempt += Math.max(n, 1);
        const events = ch.queue.take(n, pieces);
        taken += events.length;
        return events;
      },
      async commit() {
        for (const p of pieces) {
          ch.used -= p.events.length;
          ch.bytes -= p.bytes;
          p.token?.release(p.events.length);
        }
        ch.counter.takeSuccess += taken;
        pieces.length = 0;
        taken = 0;
        wake(ch.putWaiters);
      },
      async rollback() {
        if (pieces.length > 0) ch.queue.unshift(pieces);
        pieces.length = 0;
        taken = 0;
        wake(ch.takeWaiters);
      },
    };
  }

  private byteLimit(): number {
    return this.config.byteCapacity;
  }

  private async reserve(count: number, bytes: number): Promise<void> {
    const deadline = Date.now() + this.config.keepAliveMs;
    for (;;) {
      const limit = this.byteLimit();
      const roomForEvents = this.used + count <= this.config.capacity;
      const roomForBytes = limit === 0 || this.bytes + bytes <= limit;
      if (roomForEvents && roomForBytes) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (!roomForBytes) {
          throw new SluiceError('SLUICE_CHANNEL_BYTE_CAPACITY', `Channel "${this.name}" has no room for ${bytes} more body bytes (byteCapacity ${limit}).`);
        }
        throw new SluiceError('SLUICE_CHANNEL_FULL', `Channel "${this.name}" is full (${this.used} of ${this.config.capacity} events); the source should retry later.`);
      }
      await waitFor(this.putWaiters, left);
    }
    this.used += count;
    this.bytes += bytes;
  }

  private waitForData(ms: number): Promise<void> {
    return waitFor(this.takeWaiters, ms);
  }
}

function waitFor(list: Waiter[], ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      const i = list.indexOf(done);
      if (i >= 0) list.splice(i, 1);
      resolve();
    }, ms);
    list.push(done);
  });
}

function wake(list: Waiter[]): void {
  if (list.length === 0) return;
  const all = list.splice(0, list.length);
  for (const w of all) w();
}

export function memoryConfig(o: {
  capacity: number;
  transactionCapacity: number;
  'keep-alive': number;
  byteCapacity: number | undefined;
  byteCapacityBufferPercentage: number;
}): MemoryChannelConfig {
  const total = o.byteCapacity ?? Math.floor(getHeapStatistics().heap_size_limit * 0.8);
  return {
    capacity: o.capacity,
    transactionCapacity: o.transactionCapacity,
    keepAliveMs: o['keep-alive'] * 1000,
    byteCapacity: total === 0 ? 0 : Math.floor(total * (1 - o.byteCapacityBufferPercentage / 100)),
  };
}

export const memoryChannel = defineChannel({
  type: 'memory',
  flumeClass: 'org.apache.flume.channel.MemoryChannel',
  description: 'In-memory queue. Fast; loss-free on a crash only for sources that replay (see docs/delivery-guarantees.md).',
  options,
  transactionCapacityKey: 'transactionCapacity',
  capacityKey: 'capacity',
  create: (o, ctx) => new MemoryChannel(ctx.name, memoryConfig(o), ctx.counter),
});
