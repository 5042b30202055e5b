/** `null` sink (org.apache.flume.sink.NullSink): takes batches and discards them. */
import { opt } from '../config/schema.ts';
import { defineSink } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { BatchingSink, IDLE_WAIT_MS } from './util/batching-sink.ts';

class NullSink extends BatchingSink {
  private delivered = 0;
  private nextLog: number;

  constructor(
    ctx: ConstructorParameters<typeof BatchingSink>[0],
    batchSize: number,
    private readonly logEvery: number,
  ) {
    super(ctx, { batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: IDLE_WAIT_MS });
    this.nextLog = logEvery;
  }

  protected async deliver(events: Event[]): Promise<void> {
    this.delivered += events.length;
    if (this.logEvery > 0 && this.delivered >= this.nextLog) {
      this.ctx.logger.info({ events: this.delivered }, 'Null sink progress.');
      this.nextLog = this.delivered + this.logEvery;
    }
  }
}

export const nullSink = defineSink({
  type: 'null',
  flumeClass: 'org.apache.flume.sink.NullSink',
  description: 'Discards every event; for tests and benchmarks.',
  options: {
    batchSize: opt.int('Events taken per transaction.', { default: 100, min: 1 }),
    logEveryNEvents: opt.int('Log progress every N events; 0 never.', { default: 10000, min: 0 }),
  },
  batchSizeKey: 'batchSize',
  create: (o, ctx) => new NullSink(ctx, o.batchSize, o.logEveryNEvents),
});
