/**
 * The files whose events are put but not all delivered yet, from the one being read to those read to
 * the end and waiting for their last batches. Bounds how far reading runs ahead of delivery, exposes
 * the events awaiting acknowledgement and the age of the oldest, and retires each file once all of it
 * is delivered: rename, marker or deletion, then its position is dropped.
 */
import { stat } from 'node:fs/promises';
import type { SourceContext } from '../../core/component.ts';
import { sleep } from '../../core/lifecycle.ts';
import type { Discovery } from './discovery.ts';
import type { SpoolDirConfig } from './options.ts';
import type { Quarantine } from './quarantine.ts';
import { retire } from './retire.ts';
import type { SpooledFile } from './spooled-file.ts';
import { identityOf, type PositionStore } from './tracker.ts';

export class InFlight {
  private readonly files = new Map<string, SpooledFile>();
  /** Largest capacity among the source's channels: the most events that may await delivery. */
  private limit = Number.POSITIVE_INFINITY;
  private closed = false;
  private aborted: Promise<void> = Promise.resolve();
  private onClose: () => void = () => {};
  private closing: Promise<void> = Promise.resolve();
  private gauges: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: SourceContext,
    private readonly cfg: SpoolDirConfig,
    private readonly store: PositionStore,
    private readonly discovery: Discovery,
    private readonly quarantine: Quarantine,
  ) {}

  start(signal: AbortSignal): void {
    this.closed = false;
    this.aborted = new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
    this.closing = new Promise((r) => {
      this.onClose = r;
    });
    const caps = this.ctx.processor.selector.channels.map((c) => c.capacity());
    this.limit = caps.length > 0 ? Math.max(...caps) : Number.POSITIVE_INFINITY;
    this.gauges = setInterval(() => this.updateGauges(), 1000).unref();
  }

  /**
   * After the reading stopped: waits up to `waitMs` for what is in flight to be delivered (the sinks
   * still run), then saves the positions reached and forgets every file.
   */
  async stop(waitMs: number): Promise<void> {
    const flights = [...this.files.values()].map((f) => (f.done ? f.settled : f.window.drained()));
    await Promise.race([Promise.all(flights), sleep(waitMs)]);
    this.closed = true;
    this.onClose();
    for (const f of this.files.values()) {
      await f.writer.flush();
      await f.writer.close();
      await f.close();
    }
    this.files.clear();
    clearInterval(this.gauges);
    this.updateGauges();
  }

  has(rel: string): boolean {
    return this.files.has(rel);
  }

  add(f: SpooledFile): void {
    this.files.set(f.rel, f);
  }

  /** Waits while `batch` more events would put more than the largest channel capacity in flight. */
  async room(batch: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const pending = this.pending();
      if (pending === 0 || pending + batch <= this.limit) return;
      const waits = [...this.files.values()].filter((f) => f.window.pendingEvents > 0).map((f) => f.window.waitForRoom(f.window.pendingEvents - 1));
      await Promise.race([this.aborted, ...waits]);
    }
  }

  /** Reading of `f` is over; once everything put is delivered it is retired (or, after `error`, kept). */
  async finish(f: SpooledFile, error: unknown): Promise<void> {
    await f.close();
    f.settled = this.settle(f, error);
  }

  private async settle(f: SpooledFile, error: unknown): Promise<void> {
    await Promise.race([f.window.drained(), this.closing]);
    if (this.closed || f.window.pendingEvents > 0) return;
    try {
      if (error !== undefined) {
        await f.writer.flush();
        await this.quarantine.add(f.rel, f.identity, error, false);
        return;
      }
      await f.writer.close();
      try {
        await retire(this.cfg.retire, f, this.discovery, this.cfg.suffix, this.store.pathOf(f.rel));
      } catch (err) {
        this.ctx.counter.genericProcessingFail++;
        // Fully delivered: should the file be tried again, it is not read again.
        await this.store.save({ file: f.rel, identity: f.identity, ...f.reader.position });
        const now = await stat(f.path).then(identityOf, () => f.identity);
        await this.quarantine.add(f.rel, now, err);
        return;
      }
      await this.store.remove(f.rel);
      const what = this.cfg.retire === 'rename' ? `renamed to "${f.path}${this.cfg.suffix}"` : this.cfg.retire === 'delete' ? 'deleted' : 'marked done in trackerDir';
      const splits = f.splits > 0 ? ` (${f.splits} line(s) or blob(s) were split at the length limit)` : '';
      this.ctx.logger.info(`File "${f.path}" is fully delivered (${f.events} events); ${what}${splits}.`);
    } finally {
      if (!this.closed) this.files.delete(f.rel);
    }
  }

  private pending(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.window.pendingEvents;
    return n;
  }

  updateGauges(): void {
    const now = Date.now();
    let oldest = 0;
    for (const f of this.files.values()) oldest = Math.max(oldest, f.window.oldestAgeMs(now));
    this.ctx.counter.awaitingAck = this.pending();
    this.ctx.counter.oldestUnackedMs = oldest;
  }
}
