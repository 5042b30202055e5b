/**
 * org.apache.flume.source.StressSource: Flume's load generator, accepted so that Flume's own benchmark
 * configs run unchanged. Like Flume it reuses one body buffer of `size` bytes for every event.
 */
import { opt } from '../config/schema.ts';
import { defineSource, type SourceContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { sleep } from '../core/lifecycle.ts';
import { type PollStatus, PollingSource } from './util/polling-source.ts';

interface StressOptions {
  size: number;
  maxTotalEvents: number;
  maxSuccessfulEvents: number;
  batchSize: number;
  maxEventsPerSecond: number;
}

class StressSource extends PollingSource {
  private readonly body: Buffer;
  private attempted = 0;
  private succeeded = 0;
  private windowStart = Date.now();
  private windowCount = 0;

  constructor(
    ctx: SourceContext,
    private readonly o: StressOptions,
  ) {
    super(ctx);
    this.body = Buffer.alloc(o.size, 0x7f);
  }

  protected async poll(signal: AbortSignal): Promise<PollStatus> {
    const { maxTotalEvents: maxTotal, maxSuccessfulEvents: maxOk } = this.o;
    if ((maxTotal >= 0 && this.attempted >= maxTotal) || (maxOk >= 0 && this.succeeded >= maxOk)) return 'DONE';
    let n = this.o.batchSize;
    if (maxTotal >= 0) n = Math.min(n, maxTotal - this.attempted);
    if (maxOk >= 0) n = Math.min(n, maxOk - this.succeeded);
    await this.throttle(n, signal);
    const batch: Event[] = new Array(n);
    for (let i = 0; i < n; i++) batch[i] = { headers: {}, body: this.body };
    this.attempted += n;
    this.ctx.counter.eventReceived += n;
    await this.ctx.processor.processBatch(batch);
    this.succeeded += n;
    this.ctx.counter.eventAccepted += n;
    return 'READY';
  }

  private async throttle(n: number, signal: AbortSignal): Promise<void> {
    const rate = this.o.maxEventsPerSecond;
    if (rate <= 0) return;
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (this.windowCount + n > rate) {
      await sleep(1000 - (now - this.windowStart), signal);
      this.windowStart = Date.now();
      this.windowCount = 0;
    }
    this.windowCount += n;
  }
}

export const stressSource = defineSource({
  type: 'stress',
  flumeClass: 'org.apache.flume.source.StressSource',
  description: "Flume's load generator: events of `size` bytes as fast as allowed.",
  options: {
    size: opt.int('Body size in bytes.', { default: 500, min: 0 }),
    maxTotalEvents: opt.int('Stop after this many attempted events; -1 never.', { default: -1, min: -1 }),
    maxSuccessfulEvents: opt.int('Stop after this many accepted events; -1 never.', { default: -1, min: -1 }),
    batchSize: opt.int('Events per batch.', { default: 1, min: 1 }),
    maxEventsPerSecond: opt.int('Rate limit; 0 unlimited.', { default: 0, min: 0 }),
  },
  batchSizeKey: 'batchSize',
  create: (o, ctx) => new StressSource(ctx, o),
});
