/**
 * Base for sources that produce in a loop (Flume's PollableSourceRunner): `poll()` puts one batch.
 * BACKOFF or a failed put (full channel) sleeps min(n × increment, max) and the same batch is retried
 * by the subclass; DONE ends the loop (a finite generator has produced everything).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Source, SourceContext } from '../../core/component.ts';
import { sleep } from '../../core/lifecycle.ts';

export type PollStatus = 'READY' | 'BACKOFF' | 'DONE';

export interface Backoff {
  incrementMs: number;
  maxMs: number;
}

export abstract class PollingSource implements Source {
  private loop: Promise<void> | undefined;
  protected abort = new AbortController();

  constructor(
    protected readonly ctx: SourceContext,
    private readonly backoff: Backoff = { incrementMs: 1000, maxMs: 5000 },
  ) {}

  protected abstract poll(signal: AbortSignal): Promise<PollStatus>;

  async start(): Promise<void> {
    if (this.loop) return;
    this.ctx.counter.start();
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    this.ctx.counter.stop();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let n = 0;
    let ready = 0;
    while (!signal.aborted) {
      let status: PollStatus;
      try {
        status = await this.poll(signal);
      } catch (err) {
        this.ctx.counter.channelWriteFail++;
        if (n === 0) this.ctx.logger.warn({ err }, 'Source could not put a batch; backing off and retrying it.');
        status = 'BACKOFF';
      }
      if (status === 'DONE') return;
      if (status === 'READY') {
        n = 0;
        // A generator feeding a sink that never waits on I/O (seq into null) would otherwise pass batches
        // in microtasks forever, and timers, signals and the metrics server would never run.
        if (++ready % 64 === 0) await nextTurn();
        continue;
      }
      n++;
      await sleep(Math.min(n * this.backoff.incrementMs, this.backoff.maxMs), signal);
    }
  }
}
