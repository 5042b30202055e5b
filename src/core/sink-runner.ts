/**
 * Drives one sink processor in a loop (Flume's SinkRunner.PollingRunner).
 *
 * Sinks built on the toolkit already wait in `take` for data, so BACKOFF ("nothing to do") only
 * pauses briefly instead of Flume's 1–5 s; a thrown error (downstream down) backs off exponentially
 * from `errorBackoffMs` up to `maxBackoffMs` so the events, still in the channel, are retried
 * without hammering the destination.
 */
import type { SinkProcessor } from './sink-processors.ts';
import { sleep } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface SinkRunnerOptions {
  idleBackoffMs: number;
  maxIdleBackoffMs: number;
  errorBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRunnerOptions: SinkRunnerOptions = {
  idleBackoffMs: 50,
  maxIdleBackoffMs: 500,
  errorBackoffMs: 500,
  maxBackoffMs: 5000,
};

export class SinkRunner {
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private draining = false;
  backoffs = 0;
  errors = 0;

  constructor(
    readonly name: string,
    readonly processor: SinkProcessor,
    private readonly logger: Logger,
    private readonly opts: SinkRunnerOptions = defaultRunnerOptions,
  ) {}

  async start(): Promise<void> {
    if (this.loop) return;
    for (const s of this.processor.sinks) await s.sink.start();
    this.abort = new AbortController();
    this.draining = false;
    this.loop = this.run();
  }

  /**
   * Stops after draining: keeps delivering until the channel is empty (a BACKOFF) or `drainMs`
   * passes, then stops the sinks, which roll back anything in flight.
   */
  async stop(drainMs = 0): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.draining = true;
    if (drainMs <= 0) this.abort.abort();
    const timer = setTimeout(() => this.abort.abort(), drainMs);
    await Promise.race([loop, sleep(drainMs + 50)]);
    clearTimeout(timer);
    this.abort.abort();
    for (const s of this.processor.sinks) await s.sink.stop();
    await loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let idle = 0;
    let failed = 0;
    while (!signal.aborted) {
      try {
        const status = await this.processor.process();
        failed = 0;
        if (status === 'READY') {
          idle = 0;
          continue;
        }
        if (this.draining) return;
        idle++;
        this.backoffs++;
        await sleep(Math.min(idle * this.opts.idleBackoffMs, this.opts.maxIdleBackoffMs), signal);
      } catch (err) {
        if (signal.aborted) return;
        failed++;
        this.errors++;
        const wait = Math.min(this.opts.maxBackoffMs, this.opts.errorBackoffMs * 2 ** Math.min(failed - 1, 10));
        this.logger.warn({ runner: this.name, err, retryInMs: wait }, 'Sink delivery failed; the batch stays in the channel and is retried.');
        await sleep(wait * (0.8 + Math.random() * 0.4), signal);
      }
    }
  }
}
