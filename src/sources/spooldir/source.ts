/**
 * The spooling-directory source's loop (Flume's SpoolDirectorySource + ReliableSpoolingFileEventReader):
 * scan, open the next file, put its events in batches, and scan again after `pollDelay` once nothing
 * is left. A batch the channel refuses is retried as it is after a backoff of 250 ms doubling up to
 * `maxBackoff`. What happens once batches are put (acknowledgements, retiring files) is in-flight.ts.
 *
 * Deviations from Flume, all where Flume stops the whole source ("Restart or reconfigure Flume to
 * continue processing"): a file that changed, reused a completed name, holds undecodable bytes under
 * FAIL, or is corrupt is reported once, left in place and skipped while it stays the same, and the
 * other files go on. An unreadable file is reported and retried at every scan. A missing spoolDir is
 * reported and retried every 3 s without failing the agent's start.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Source, SourceContext } from '../../core/component.ts';
import type { Event } from '../../core/event.ts';
import { sleep } from '../../core/lifecycle.ts';
import { SluiceError } from '../../errors.ts';
import { type Position, START } from './deserializer.ts';
import { type Candidate, Discovery, ScanTimer } from './discovery.ts';
import { importFlumeMeta } from './flume-meta.ts';
import { InFlight } from './in-flight.ts';
import type { SpoolDirConfig } from './options.ts';
import { Quarantine } from './quarantine.ts';
import { changedError } from './retire.ts';
import { SpooledFile } from './spooled-file.ts';
import { identityOf, PositionStore, sameIdentity } from './tracker.ts';

const STARTUP_RETRY_MS = 3000;
const FIRST_BACKOFF_MS = 250;
/** On stop, how long files in flight may still be delivered (the sinks run until the sources stopped). */
const STOP_WAIT_MS = 3000;

export class SpoolDirSource implements Source {
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private readonly store: PositionStore;
  private readonly discovery: Discovery;
  private readonly quarantine: Quarantine;
  private readonly inFlight: InFlight;
  private readonly timer: ScanTimer;
  private queue: Candidate[] = [];
  private scannedAt = 0;
  private setupError = '';

  constructor(
    private readonly ctx: SourceContext,
    private readonly cfg: SpoolDirConfig,
  ) {
    this.store = new PositionStore(cfg.trackerDir);
    this.quarantine = new Quarantine(this.store, ctx.logger, ctx.counter);
    this.timer = new ScanTimer(cfg.spoolDir, cfg.pollDelayMs);
    this.discovery = new Discovery(cfg, {
      reused: (c, marker) => void this.quarantine.add(c.rel, identityOf(c.stats), new SluiceError('SLUICE_SOURCE_NAME_REUSED', `File "${c.path}" has the name of a file already completed (marker "${marker}" records another file). It is left in place and not read; give it another name.`, { file: c.path, existing: marker })),
      unlistable: (dir, err) => {
        ctx.counter.genericProcessingFail++;
        ctx.logger.error({ err, dir }, `Could not list sub-directory "${dir}"; its files are skipped until it can be listed.`);
      },
    });
    this.inFlight = new InFlight(ctx, cfg, this.store, this.discovery, this.quarantine);
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.ctx.counter.start();
    this.abort = new AbortController();
    this.inFlight.start(this.abort.signal);
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    await this.inFlight.stop(STOP_WAIT_MS);
    this.timer.close();
    this.ctx.counter.stop();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !(await this.prepare())) await sleep(STARTUP_RETRY_MS, signal);
    this.timer.watch();
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
      await this.timer.idle(signal);
    }
  }

  /** Checks the directories (Flume's start-up checks); false, after saying why, when they are not usable yet. */
  private async prepare(): Promise<boolean> {
    const { spoolDir } = this.cfg;
    try {
      if (!(await stat(spoolDir)).isDirectory()) throw new Error('it is not a directory');
      if (this.cfg.retire !== 'tracker_dir') await access(spoolDir, constants.W_OK);
      await this.store.init();
      await importFlumeMeta(this.cfg.trackerDir, spoolDir, this.cfg.kind === 'AVRO', this.store, this.ctx.logger);
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
      if (this.inFlight.has(c.rel)) continue;
      const f = await this.open(c);
      if (f) return f;
    }
  }

  private async open(c: Candidate): Promise<SpooledFile | undefined> {
    const id = identityOf(c.stats);
    if (await this.quarantine.holds(c.rel, id, await this.store.raw(c.rel))) return undefined;
    const saved = await this.store.load(c.rel);
    if (saved && !sameIdentity(saved.identity, id)) {
      await this.quarantine.add(c.rel, id, changedError(c.path, saved.identity, id, this.store.pathOf(c.rel)));
      return undefined;
    }
    const at = saved ?? START;
    let f: SpooledFile;
    try {
      f = await SpooledFile.open({ path: c.path, rel: c.rel, name: c.name, at }, this.cfg, this.store, {
        onAdvance: () => this.inFlight.updateGauges(),
        onWriteError: (err) => this.ctx.logger.error({ err }, `Could not save the position of "${c.path}"; after a crash more of it will be read again.`),
        onSplit: (file, offset) => {
          if (file.splits++ > 0) return;
          this.ctx.logger.warn(`The unit at byte ${offset} of "${file.path}" is longer than the deserializer's limit (maxLineLength / maxBlobLength); it is split into several events, as Flume does. Later ones in this file are only counted.`);
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (err instanceof SluiceError) await this.quarantine.add(c.rel, id, err);
      else this.quarantine.cannotOpen(c.rel, c.path, err);
      return undefined;
    }
    this.quarantine.opened(c.rel, c.path);
    this.inFlight.add(f);
    if (f.fresh) this.ctx.logger.info(`Reading file "${c.path}".`);
    else this.ctx.logger.info(`Resuming file "${c.path}" at byte ${at.offset}${at.records > 0 ? ` after ${at.records} event(s) of the unit there` : ''}.`);
    return f;
  }

  /** Puts the file's batches until its end, an error or stop. */
  private async drain(f: SpooledFile, signal: AbortSignal): Promise<void> {
    let first = f.fresh;
    while (!signal.aborted) {
      await this.inFlight.room(this.cfg.batchSize, signal);
      if (signal.aborted) return;
      let batch: Event[];
      try {
        batch = await f.reader.read(this.cfg.batchSize);
      } catch (err) {
        this.ctx.counter.eventReadFail++;
        this.ctx.logger.error({ err }, `Stopped reading "${f.path}": ${(err as Error).message} Events before that point are delivered; the file is left in place and skipped while it stays the same.`);
        await this.inFlight.finish(f, err);
        return;
      }
      let pos = f.reader.position;
      if (batch.length === 0 && first) {
        batch = [{ headers: f.headers(), body: Buffer.alloc(0) }];
        pos = { offset: pos.offset, records: pos.records + 1 };
      }
      first = false;
      if (batch.length === 0) {
        await this.inFlight.finish(f, undefined);
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
        this.inFlight.updateGauges();
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
}
