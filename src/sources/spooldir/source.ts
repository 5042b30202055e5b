/**
 * The spooling-directory source's loop (Flume's SpoolDirectorySource + ReliableSpoolingFileEventReader):
 * scan, open the next file, put its events in batches, and scan again after `pollDelay` once nothing
 * is left. A batch the channel refuses is retried as it is after a backoff of 250 ms doubling up to
 * `maxBackoff`.
 *
 * At least once, end to end: a file's position advances only to the end of the longest prefix of its
 * batches that the sinks have delivered (the channel commit, for a durable channel), and a file is
 * renamed, marked or deleted only once all of it is delivered. Reading runs ahead of delivery by at
 * most the largest channel capacity.
 *
 * Deviations from Flume, all where Flume stops the whole source ("Restart or reconfigure Flume to
 * continue processing"): a file that changed, reused a completed name, holds undecodable bytes under
 * FAIL, or is corrupt is reported once, left in place and skipped while it stays the same, and the
 * other files go on. An unreadable file is reported and retried at every scan. A missing spoolDir is
 * reported and retried every 3 s without failing the agent's start.
 */
import { constants, type FSWatcher, watch } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Source, SourceContext } from '../../core/component.ts';
import type { Event } from '../../core/event.ts';
import { sleep } from '../../core/lifecycle.ts';
import { isSluiceError, SluiceError } from '../../errors.ts';
import { type Candidate, Discovery } from './discovery.ts';
import { type Position, START } from './deserializer.ts';
import type { SpoolDirConfig } from './options.ts';
import { changedError, exists, retire } from './retire.ts';
import { SpooledFile } from './spooled-file.ts';
import { type FileIdentity, identityOf, PositionStore, sameIdentity } from './tracker.ts';

const STARTUP_RETRY_MS = 3000;
const FIRST_BACKOFF_MS = 250;
/** On stop, how long files in flight may still be delivered (the sinks run until the sources stopped). */
const STOP_WAIT_MS = 3000;
/** A watcher wake-up never scans more often than this. */
const MIN_SCAN_GAP_MS = 50;

export class SpoolDirSource implements Source {
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private aborted: Promise<void> = Promise.resolve();
  private readonly store: PositionStore;
  private readonly discovery: Discovery;
  private readonly files = new Map<string, SpooledFile>();
  /**
   * Files given up on, by relative path: the identity and stored position they failed with, and for a
   * reused name the file that holds it (once that one is gone, the file is tried again).
   */
  private readonly skipped = new Map<string, { key: string; holder?: string }>();
  private readonly unreadable = new Set<string>();
  private queue: Candidate[] = [];
  private scannedAt = 0;
  private limit = Number.POSITIVE_INFINITY;
  private closed = false;
  private wake: (() => void) | undefined;
  private watcher: FSWatcher | undefined;
  private gauges: NodeJS.Timeout | undefined;
  private setupError = '';

  constructor(
    private readonly ctx: SourceContext,
    private readonly cfg: SpoolDirConfig,
  ) {
    this.store = new PositionStore(cfg.trackerDir);
    this.discovery = new Discovery(cfg, {
      reused: (c, marker) => void this.skip(c.rel, identityOf(c.stats), new SluiceError('SLUICE_SOURCE_NAME_REUSED', `File "${c.path}" has the name of a file already completed (marker "${marker}" records another file). It is left in place and not read; give it another name.`, { file: c.path, existing: marker })),
      unlistable: (dir, err) => {
        ctx.counter.genericProcessingFail++;
        ctx.logger.error({ err, dir }, `Could not list sub-directory "${dir}"; its files are skipped until it can be listed.`);
      },
    });
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.ctx.counter.start();
    this.closed = false;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.aborted = new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
    const caps = this.ctx.processor.selector.channels.map((c) => c.capacity());
    this.limit = caps.length > 0 ? Math.max(...caps) : Number.POSITIVE_INFINITY;
    this.gauges = setInterval(() => this.updateGauges(), 1000).unref();
    this.loop = this.run(signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    const flights = [...this.files.values()].map((f) => (f.done ? f.settled : f.window.drained()));
    await Promise.race([Promise.all(flights), sleep(STOP_WAIT_MS)]);
    this.closed = true;
    for (const f of this.files.values()) {
      await f.writer.flush();
      await f.writer.close();
      await f.close();
    }
    this.files.clear();
    clearInterval(this.gauges);
    this.watcher?.close();
    this.watcher = undefined;
    this.updateGauges();
    this.ctx.counter.stop();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !(await this.prepare())) await sleep(STARTUP_RETRY_MS, signal);
    this.watchDir();
    while (!signal.aborted) {
      try {
        while (!signal.aborted) {
          const f = await this.next();
          if (!f) break;
          await this.drain(f, signal);
        }
      } catch (err) {
        this.ctx.counter.genericProcessingFail++;
        this.ctx.logger.error({ err }, `Could not scan spoolDir "${this.cfg.spoolDir}"; trying again in ${this.cfg.pollDelayMs} ms.`);
      }
      await this.idle(signal);
    }
  }

  /** Checks the directories (Flume's start-up checks); false, after saying why, when they are not usable yet. */
  private async prepare(): Promise<boolean> {
    const { spoolDir } = this.cfg;
    try {
      if (!(await stat(spoolDir)).isDirectory()) throw new Error('it is not a directory');
      if (this.cfg.retire !== 'tracker_dir') await access(spoolDir, constants.W_OK);
      await this.store.init();
      for (const p of await this.store.all()) {
        if (!(await stat(join(spoolDir, p.file)).catch(() => undefined))) await this.store.remove(p.file);
      }
    } catch (err) {
      const message = `spoolDir "${spoolDir}" cannot be used yet (${(err as Error).message}); the source checks again every ${STARTUP_RETRY_MS / 1000} s. It needs the directory to exist, write permission to rename or delete finished files, and a writable trackerDir "${this.cfg.trackerDir}".`;
      if (message !== this.setupError) this.ctx.logger.error({ err }, message);
      this.setupError = message;
      return false;
    }
    if (this.setupError) this.ctx.logger.info(`spoolDir "${spoolDir}" is usable now.`);
    this.setupError = '';
    return true;
  }

  /** Opens the next file to read; rescans the directory when the listing is used up or older than pollDelay. */
  private async next(): Promise<SpooledFile | undefined> {
    let scanned = false;
    for (;;) {
      if (!scanned && (this.queue.length === 0 || Date.now() - this.scannedAt > this.cfg.pollDelayMs)) {
        this.queue = await this.discovery.scan();
        this.scannedAt = Date.now();
        scanned = true;
      }
      const c = this.queue.shift();
      if (!c) return undefined;
      if (this.files.has(c.rel)) continue;
      const f = await this.open(c);
      if (f) return f;
    }
  }

  private async open(c: Candidate): Promise<SpooledFile | undefined> {
    const id = identityOf(c.stats);
    const stored = await this.store.raw(c.rel);
    const skip = this.skipped.get(c.rel);
    if (skip?.key === skipKey(id, stored) && (skip.holder === undefined || (await exists(skip.holder)))) return undefined;
    const saved = await this.store.load(c.rel);
    if (saved && !sameIdentity(saved.identity, id)) {
      await this.skip(c.rel, id, changedError(c.path, saved.identity, id, this.store.pathOf(c.rel)));
      return undefined;
    }
    const at = saved ?? START;
    let f: SpooledFile;
    try {
      f = await SpooledFile.open({ path: c.path, rel: c.rel, name: c.name, at }, this.cfg, this.store, {
        onAdvance: () => this.updateGauges(),
        onWriteError: (err) => this.ctx.logger.error({ err }, `Could not save the position of "${c.path}"; after a crash more of it will be read again.`),
        onSplit: (file, offset) => this.split(file, offset),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (err instanceof SluiceError) await this.skip(c.rel, id, err);
      else this.cannotRead(c.rel, c.path, err);
      return undefined;
    }
    if (this.unreadable.delete(c.rel)) this.ctx.logger.info(`File "${c.path}" can be read now.`);
    this.files.set(c.rel, f);
    if (f.fresh) this.ctx.logger.info(`Reading file "${c.path}".`);
    else this.ctx.logger.info(`Resuming file "${c.path}" at byte ${at.offset}${at.records > 0 ? ` after ${at.records} event(s) of the unit there` : ''}.`);
    return f;
  }

  /** Puts the file's batches until its end, an error or stop. */
  private async drain(f: SpooledFile, signal: AbortSignal): Promise<void> {
    let first = f.fresh;
    while (!signal.aborted) {
      await this.room(signal);
      if (signal.aborted) return;
      let batch: Event[];
      try {
        batch = await f.reader.read(this.cfg.batchSize);
      } catch (err) {
        this.ctx.counter.eventReadFail++;
        this.ctx.logger.error({ err }, `Stopped reading "${f.path}": ${(err as Error).message} Events before that point are delivered; the file is left in place and skipped while it stays the same.`);
        await this.finish(f, err);
        return;
      }
      let pos = f.reader.position;
      if (batch.length === 0 && first) {
        batch = [{ headers: f.headers(), body: Buffer.alloc(0) }];
        pos = { offset: pos.offset, records: pos.records + 1 };
      }
      first = false;
      if (batch.length === 0) {
        await this.finish(f, undefined);
        return;
      }
      if (!(await this.put(f, batch, pos, signal))) return;
    }
  }

  /** Puts one batch, retrying it as it is while the channel refuses it; false if stopped first. */
  private async put(f: SpooledFile, batch: Event[], pos: Position, signal: AbortSignal): Promise<boolean> {
    const { counter, processor, logger } = this.ctx;
    let backoff = FIRST_BACKOFF_MS;
    for (let failures = 0; ; failures++) {
      counter.eventReceived += batch.length;
      counter.appendBatchReceived++;
      try {
        const token = await processor.processBatch(batch);
        counter.eventAccepted += batch.length;
        counter.appendBatchAccepted++;
        f.events += batch.length;
        f.window.add(pos, token, batch.length);
        this.updateGauges();
        return true;
      } catch (err) {
        counter.channelWriteFail++;
        if (failures === 0) logger.warn({ err }, `The channel did not take a batch of ${batch.length} events from "${f.path}"; the same batch is retried in ${backoff} ms, then with a backoff doubling up to maxBackoff (${this.cfg.maxBackoffMs} ms).`);
        await sleep(backoff, signal);
        if (signal.aborted) return false;
        backoff = Math.min(backoff * 2, this.cfg.maxBackoffMs);
      }
    }
  }

  /** Waits while the events awaiting delivery would exceed the largest channel capacity. */
  private async room(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const pending = this.pending();
      if (pending === 0 || pending + this.cfg.batchSize <= this.limit) return;
      const waits = [...this.files.values()].filter((f) => f.window.pendingEvents > 0).map((f) => f.window.waitForRoom(f.window.pendingEvents - 1));
      await Promise.race([this.aborted, ...waits]);
    }
  }

  /** Reading is over; once everything put is delivered, the file is retired (or, after an error, kept). */
  private async finish(f: SpooledFile, error: unknown): Promise<void> {
    await f.close();
    f.settled = this.settle(f, error);
  }

  private async settle(f: SpooledFile, error: unknown): Promise<void> {
    await Promise.race([f.window.drained(), this.aborted.then(() => sleep(STOP_WAIT_MS))]);
    if (this.closed || f.window.pendingEvents > 0) return;
    try {
      if (error !== undefined) {
        await f.writer.flush();
        await this.skip(f.rel, f.identity, error, false);
        return;
      }
      await f.writer.close();
      try {
        await retire(this.cfg.retire, f, this.discovery, this.cfg.suffix, this.store.pathOf(f.rel));
      } catch (err) {
        this.ctx.counter.genericProcessingFail++;
        await this.store.save({ file: f.rel, identity: f.identity, ...f.reader.position });
        const now = await stat(f.path).then(identityOf, () => f.identity);
        await this.skip(f.rel, now, err);
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

  /** Gives up on a file while it and its stored position stay as they are; says why once. */
  private async skip(rel: string, id: FileIdentity, err: unknown, log = true): Promise<void> {
    const key = skipKey(id, await this.store.raw(rel));
    const holder = isSluiceError(err, 'SLUICE_SOURCE_NAME_REUSED') ? (err.details['existing'] as string) : undefined;
    const was = this.skipped.get(rel);
    this.skipped.set(rel, { key, holder });
    if (log && (was?.key !== key || was.holder !== holder)) this.ctx.logger.error({ err }, (err as Error).message);
  }

  private cannotRead(rel: string, path: string, err: unknown): void {
    this.ctx.counter.genericProcessingFail++;
    if (this.unreadable.has(rel)) return;
    this.unreadable.add(rel);
    this.ctx.logger.error({ err }, `Cannot open "${path}" (${(err as Error).message}); it is skipped and tried again at every scan. Nothing is renamed or deleted.`);
  }

  private split(f: SpooledFile, offset: number): void {
    if (f.splits++ === 0) {
      this.ctx.logger.warn(`The unit at byte ${offset} of "${f.path}" is longer than the deserializer's limit (maxLineLength / maxBlobLength); it is split into several events, as Flume does. Later ones in this file are only counted.`);
    }
  }

  private pending(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.window.pendingEvents;
    return n;
  }

  private updateGauges(): void {
    const now = Date.now();
    let oldest = 0;
    for (const f of this.files.values()) oldest = Math.max(oldest, f.window.oldestAgeMs(now));
    this.ctx.counter.awaitingAck = this.pending();
    this.ctx.counter.oldestUnackedMs = oldest;
  }

  /** A change in spoolDir ends the wait for the next scan early; the scan itself is what decides. */
  private watchDir(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.cfg.spoolDir, { persistent: false }, () => this.wake?.());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  private async idle(signal: AbortSignal): Promise<void> {
    await sleep(MIN_SCAN_GAP_MS, signal);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, this.cfg.pollDelayMs - MIN_SCAN_GAP_MS));
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function skipKey(id: FileIdentity, stored: string): string {
  return `${id.size}:${id.mtimeMs}:${id.ino}|${stored}`;
}
