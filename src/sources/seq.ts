/**
 * `seq` source (org.apache.flume.source.SequenceGeneratorSource): bodies are a decimal counter from 0.
 * A failed batch is retried with the same numbers, so the output is exactly 0..totalEvents-1 plus
 * duplicates of retried batches. Cannot replay after a crash.
 */
import { opt } from '../config/schema.ts';
import { defineSource, type SourceContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { type PollStatus, PollingSource } from './util/polling-source.ts';

class SequenceSource extends PollingSource {
  private next = 0;

  constructor(
    ctx: SourceContext,
    private readonly batchSize: number,
    private readonly total: number,
  ) {
    super(ctx);
  }

  protected async poll(): Promise<PollStatus> {
    if (this.next >= this.total) return 'DONE';
    const n = Math.min(this.batchSize, this.total - this.next);
    // One buffer per batch, sliced per event: a Buffer per event costs more than the rest of the path.
    let text = '';
    for (let i = 0; i < n; i++) text += this.next + i;
    const slab = Buffer.from(text, 'latin1');
    const batch: Event[] = new Array(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = String(this.next + i).length;
      batch[i] = { headers: {}, body: slab.subarray(at, at + len) };
      at += len;
    }
    this.ctx.counter.eventReceived += n;
    this.ctx.counter.appendBatchReceived++;
    await this.ctx.processor.processBatch(batch);
    this.next += n;
    this.ctx.counter.eventAccepted += n;
    this.ctx.counter.appendBatchAccepted++;
    return 'READY';
  }
}

export const seqSource = defineSource({
  type: 'seq',
  flumeClass: 'org.apache.flume.source.SequenceGeneratorSource',
  description: 'Generates events whose bodies count up from 0; for tests.',
  options: {
    batchSize: opt.int('Events per batch.', { default: 1, min: 1 }),
    totalEvents: opt.int('How many events to generate in all.', { default: Number.MAX_SAFE_INTEGER, min: 0 }),
  },
  batchSizeKey: 'batchSize',
  create: (o, ctx) => new SequenceSource(ctx, o.batchSize, o.totalEvents),
});
