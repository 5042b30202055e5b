/** Small real components for core tests: a memory channel, a collecting sink, a counted source context. */
import { memoryConfig, MemoryChannel } from '../../src/channels/memory.ts';
import type { Channel } from '../../src/core/channel.ts';
import type { Sink, SinkStatus } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { ChannelCounter, SinkCounter } from '../../src/core/metrics.ts';
import { BatchingSink } from '../../src/sinks/util/batching-sink.ts';

export function memory(name = 'c1', capacity = 1000, transactionCapacity = 100, keepAlive = 0): MemoryChannel {
  return new MemoryChannel(name, memoryConfig({ capacity, transactionCapacity, 'keep-alive': keepAlive, byteCapacity: 0, byteCapacityBufferPercentage: 20 }), new ChannelCounter(name));
}

export function events(n: number, from = 0, headers: (i: number) => Record<string, string> = () => ({})): Event[] {
  return Array.from({ length: n }, (_, i) => ({ headers: headers(from + i), body: Buffer.from(String(from + i)) }));
}

export function bodies(list: readonly Event[]): string[] {
  return list.map((e) => e.body.toString());
}

/** A sink that records what it delivered; `fail` makes deliveries throw, `delayMs` slows them. */
export class CollectingSink extends BatchingSink implements Sink {
  readonly delivered: Event[] = [];
  fail = false;
  delayMs = 0;
  calls = 0;

  constructor(channel: Channel, batchSize = 100, name = 'k1') {
    super({ agent: 'a1', name, logger: silentLogger, channel, counter: new SinkCounter(name) }, { batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: 20 });
  }

  protected async deliver(batch: Event[]): Promise<void> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fail) throw new Error('destination down');
    this.delivered.push(...batch);
  }
}

/** A sink with scripted results, for sink-processor tests. */
export class ScriptedSink implements Sink {
  calls = 0;
  constructor(public next: () => SinkStatus | Error) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async process(): Promise<SinkStatus> {
    this.calls++;
    const r = this.next();
    if (r instanceof Error) throw r;
    return r;
  }
}

/** Drains a channel through `sink` until it reports BACKOFF. */
export async function drain(sink: Sink): Promise<void> {
  while ((await sink.process()) === 'READY');
}
