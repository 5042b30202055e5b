/**
 * `file_roll` sink (org.apache.flume.sink.RollingFileSink): writes each batch, serialized as one
 * Buffer, to a file in `sink.directory`, and starts a new file every `sink.rollInterval` seconds.
 * Names as Flume's path managers make them: DEFAULT `<prefix><sinkStartMillis>-<n>[.<ext>]`,
 * ROLLTIME `<prefix><yyyyMMddHHmmss>-<n>[.<ext>]` (local time, n restarting at each new second).
 *
 * A batch is committed (and its acknowledgements released) only once its write has resolved: the
 * bytes are in the operating system's page cache, as after Flume's stream flush, not on disk. Set
 * `sink.fsync = true` (Sluice only) to fdatasync each batch before the commit. A batch always lands
 * in one file: a roll waits for the write in progress. A write that fails part way is cut off the
 * file again (truncated to the end of the last whole batch) so that its retry does not duplicate it.
 *
 * Deviations: Flume opens a new, possibly empty, file as soon as it rolls; Sluice closes the file at
 * the roll and opens the next one only when a batch arrives, so idle periods leave no empty files.
 * Sluice creates `sink.directory` if it is missing, and never overwrites an existing file (a name
 * already taken moves on to the next number), where Flume would truncate it.
 */
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { opt } from '../config/schema.ts';
import { defineSink, type SinkContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';
import { BatchingSink, IDLE_WAIT_MS } from './util/batching-sink.ts';
import { createSerializer, type EventSerializer, type SerializerConfig, serializerConfig, serializerOptions } from './util/serializers/index.ts';

const ROLLTIME_CLASS = 'org.apache.flume.formatter.output.RollTimePathManager$Builder';
const pathManagers = ['DEFAULT', 'ROLLTIME', 'org.apache.flume.formatter.output.DefaultPathManager$Builder', ROLLTIME_CLASS] as const;

const options = {
  'sink.directory': opt.string('Directory the files are written to; created when missing.', { required: true }),
  'sink.rollInterval': opt.int('Seconds between rolls to a new file; 0 never rolls.', { default: 30, min: 0 }),
  'sink.pathManager': opt.enum('File naming: DEFAULT `<prefix><start millis>-<n>`, ROLLTIME `<prefix><yyyyMMddHHmmss>-<n>`.', pathManagers, { default: 'DEFAULT' }),
  'sink.pathManager.prefix': opt.string('Start of every file name.', { default: '' }),
  'sink.pathManager.extension': opt.string('File name extension, added after a dot.', { default: '' }),
  ...serializerOptions('sink.serializer'),
  'sink.batchSize': opt.int('Most events per transaction, written with one write.', { default: 100, min: 1 }),
  'sink.fsync': opt.bool('Sluice only: fdatasync each batch before committing it.', { default: false }),
};

export interface FileRollOptions {
  directory: string;
  rollIntervalMs: number;
  rollTime: boolean;
  prefix: string;
  extension: string;
  serializer: SerializerConfig;
  batchSize: number;
  fsync: boolean;
}

/** yyyyMMddHHmmss in local time, as Joda's formatter prints it for RollTimePathManager. */
function rollTimeStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

interface OpenFile {
  path: string;
  fh: FileHandle;
  serializer: EventSerializer;
  /** End of the last whole batch: where the next write goes, and what a failed write is cut back to. */
  size: number;
}

async function writeAt(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let off = 0; off < data.length; ) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    off += bytesWritten;
  }
}

class FileRollSink extends BatchingSink {
  private readonly startMillis = Date.now();
  private index = 0;
  private lastStamp = '';
  private file: OpenFile | undefined;
  /** File operations (writes, rolls, the final close) run one after another in this chain. */
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    ctx: SinkContext,
    private readonly o: FileRollOptions,
  ) {
    super(ctx, { batchSize: o.batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: IDLE_WAIT_MS });
  }

  override async start(): Promise<void> {
    if (!this.stopped) return;
    try {
      await mkdir(this.o.directory, { recursive: true });
    } catch (err) {
      throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `sink.directory "${this.o.directory}" cannot be created: ${(err as Error).message}`, { cause: err });
    }
    // A codec that cannot be loaded fails the start, not every batch after it.
    createSerializer(this.o.serializer);
    await super.start();
    this.stopped = false;
    if (this.o.rollIntervalMs > 0) {
      this.timer = setInterval(() => void this.exclusive(() => this.close()), this.o.rollIntervalMs);
      this.timer.unref();
    }
  }

  override async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.exclusive(() => this.close());
    await super.stop();
  }

  protected deliver(events: Event[]): Promise<void> {
    return this.exclusive(() => this.write(events));
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(events: Event[]): Promise<void> {
    // A take that was waiting when the sink stopped must not reopen a file: the batch is rolled back.
    if (this.stopped) throw new SluiceError('SLUICE_DELIVERY_FAILED', `file_roll sink "${this.ctx.name}" is stopped; the batch stays in the channel.`);
    const f = this.file ?? (await this.openNext());
    const data = f.serializer.encode(events);
    try {
      await writeAt(f.fh, data, f.size);
      if (this.o.fsync) await f.fh.datasync();
    } catch (err) {
      await this.cutBack(f);
      throw new SluiceError('SLUICE_DELIVERY_FAILED', `file_roll sink could not write ${events.length} events to "${f.path}": ${(err as Error).message}`, { cause: err });
    }
    f.size += data.length;
  }

  /** Removes what a failed write left past the last whole batch; if that fails too, gives the file up. */
  private async cutBack(f: OpenFile): Promise<void> {
    try {
      await f.fh.truncate(f.size);
    } catch (err) {
      this.ctx.logger.error({ err, path: f.path }, `Could not cut a failed write off "${f.path}"; it may hold part of a batch that is retried in the next file.`);
      await this.close();
    }
  }

  private nextName(): string {
    let stamp = String(this.startMillis);
    if (this.o.rollTime) {
      stamp = rollTimeStamp(new Date());
      if (stamp !== this.lastStamp) this.index = 0;
      this.lastStamp = stamp;
    }
    return `${this.o.prefix}${stamp}-${++this.index}${this.o.extension ? `.${this.o.extension}` : ''}`;
  }

  private async openNext(): Promise<OpenFile> {
    const { counter, logger } = this.ctx;
    for (;;) {
      const path = join(this.o.directory, this.nextName());
      let fh: FileHandle;
      try {
        fh = await open(path, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        counter.connectionFailed++;
        throw new SluiceError('SLUICE_DELIVERY_FAILED', `file_roll sink could not create "${path}": ${(err as Error).message}`, { cause: err });
      }
      const f: OpenFile = { path, fh, serializer: createSerializer(this.o.serializer), size: 0 };
      this.file = f;
      counter.connectionCreated++;
      logger.info({ path }, `Writing to file "${path}".`);
      const header = f.serializer.header();
      if (header) {
        await writeAt(fh, header, 0);
        f.size = header.length;
      }
      return f;
    }
  }

  private async close(): Promise<void> {
    const f = this.file;
    if (!f) return;
    this.file = undefined;
    try {
      await f.fh.close();
      this.ctx.counter.connectionClosed++;
      this.ctx.logger.debug({ path: f.path }, `Closed file "${f.path}".`);
    } catch (err) {
      this.ctx.logger.error({ err, path: f.path }, `Could not close file "${f.path}".`);
    }
  }
}

export const fileRollSink = defineSink({
  type: 'file_roll',
  flumeClass: 'org.apache.flume.sink.RollingFileSink',
  description: 'Writes events to files in a local directory, starting a new file every rollInterval seconds.',
  options,
  batchSizeKey: 'sink.batchSize',
  create: (o, ctx) =>
    new FileRollSink(ctx, {
      directory: o['sink.directory'],
      rollIntervalMs: o['sink.rollInterval'] * 1000,
      rollTime: o['sink.pathManager'] === 'ROLLTIME' || o['sink.pathManager'] === ROLLTIME_CLASS,
      prefix: o['sink.pathManager.prefix'],
      extension: o['sink.pathManager.extension'],
      serializer: serializerConfig(o, 'sink.serializer'),
      batchSize: o['sink.batchSize'],
      fsync: o['sink.fsync'],
    }),
});
