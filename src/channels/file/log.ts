/**
 * The file channel's data files: one writer with group commit, and positional reads of put records.
 *
 * Commits queue their record; the writer puts every record queued meanwhile into one frame, writes it
 * with one writev and makes it durable with one fdatasync, then applies the records to the in-memory
 * state (in write order, synchronously, so a checkpoint never sees half a group) and resolves the
 * commits. Only one frame is ever unsynced, at the end of the newest file, which is what lets startup
 * tell a torn tail from damage in the middle. Files roll at `maxFileSize` onto the next data directory.
 */
import { open, type FileHandle, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../../core/durable-file.ts';
import type { Logger } from '../../core/logger.ts';
import { SluiceError } from '../../errors.ts';
import { dataFileName } from './files.ts';
import { encodeFileHeader, encodeFrameHeader, FILE_HEADER_SIZE, FRAME_HEADER_SIZE } from './format.ts';

interface Entry {
  record: Buffer;
  put: boolean;
  /** Runs once the record is durable, before any later group is written. */
  apply: (fileId: number, offset: number) => void;
  resolve: () => void;
  reject: (err: unknown) => void;
  retried?: boolean;
}

export interface LogPosition {
  fileId: number;
  offset: number;
}

export interface DataLogOptions {
  channel: string;
  dataDirs: readonly string[];
  maxFileSize: number;
  fsyncPerTransaction: boolean;
  logger: Logger;
  /** Called when a write failed for lack of space, so puts re-check the floor. */
  onDiskFull: () => void;
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export class DataLog {
  private handle: FileHandle | undefined;
  private fileId = 0;
  private pos = 0;
  private dirty = false;
  private pending: Entry[] = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];
  private syncWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private failure: SluiceError | undefined;
  private closing = false;
  private readonly readers = new Map<number, Promise<FileHandle>>();
  /** End of the last applied group: everything before it is in memory, nothing after it. */
  applied: LogPosition = { fileId: 0, offset: 0 };

  constructor(
    private readonly o: DataLogOptions,
    /** Every data file by id, as recovery found them; the log adds and removes entries. */
    readonly files: Map<number, string>,
  ) {}

  /** Starts writing a new data file with id `fileId`. */
  async open(fileId: number): Promise<void> {
    await this.create(fileId);
    this.applied = { fileId, offset: this.pos };
  }

  /** Queues a record; resolves once it is durable (or written, without fsyncPerTransaction) and applied. */
  append(record: Buffer, put: boolean, apply: Entry['apply']): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new SluiceError('SLUICE_CHANNEL_CLOSED', `Channel "${this.o.channel}" is stopped.`));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, put, apply, resolve, reject });
      this.schedule();
    });
  }

  /** Makes everything applied so far durable (needed before a checkpoint when commits do not fsync). */
  sync(): Promise<void> {
    if (this.o.fsyncPerTransaction || (!this.dirty && !this.running)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Reads `size` bytes at `offset` of data file `fileId`. */
  async read(fileId: number, offset: number, size: number): Promise<Buffer> {
    let h = this.readers.get(fileId);
    if (!h) {
      const path = this.files.get(fileId);
      if (!path) throw new SluiceError('SLUICE_CHANNEL_CORRUPT', `Channel "${this.o.channel}" needs data file ${dataFileName(fileId)}, which is gone.`);
      h = open(path, 'r');
      this.readers.set(fileId, h);
      h.catch(() => this.readers.delete(fileId));
    }
    const b = Buffer.allocUnsafe(size);
    try {
      const { bytesRead } = await (await h).read(b, 0, size, offset);
      return b.subarray(0, bytesRead);
    } catch (err) {
      throw new SluiceError('SLUICE_CHANNEL_IO', `Channel "${this.o.channel}" could not read ${this.files.get(fileId)} at offset ${offset}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Deletes the data files older than `fileId` (never the one being written), oldest first: a crash
   * in the middle leaves no gap, so the files left can still be replayed without a checkpoint.
   */
  async removeBefore(fileId: number): Promise<number[]> {
    const gone: number[] = [];
    for (const [id, path] of [...this.files].sort((a, b) => a[0] - b[0])) {
      if (id >= fileId || id === this.fileId) continue;
      const h = this.readers.get(id);
      this.readers.delete(id);
      this.files.delete(id);
      if (h) await (await h.catch(() => undefined))?.close();
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      gone.push(id);
    }
    return gone;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.idle();
    if (this.dirty && !this.failure) await this.handle?.datasync();
    await this.handle?.close();
    this.handle = undefined;
    for (const h of this.readers.values()) await (await h.catch(() => undefined))?.close();
    this.readers.clear();
  }

  private schedule(): void {
    if (this.running) return;
    this.running = true;
    // setImmediate, not a microtask: commits made in the same turn of the event loop join the group.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.syncWaiters.length > 0) {
      if (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        await this.write(group);
      }
      // After every group, not only when idle: a steady stream of commits must not starve a checkpoint.
      if (this.syncWaiters.length > 0) {
        const waiters = this.syncWaiters;
        this.syncWaiters = [];
        try {
          if (this.dirty) await this.handle!.datasync();
          this.dirty = false;
          for (const w of waiters) w.resolve();
        } catch (err) {
          const e = this.fail('flush', err);
          for (const w of waiters) w.reject(e);
        }
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async write(group: Entry[]): Promise<void> {
    if (this.failure) return rejectAll(group, this.failure);
    const records = group.map((e) => e.record);
    let bytes = FRAME_HEADER_SIZE;
    for (const r of records) bytes += r.length;
    // A take-only group retried after ENOSPC stays in the current file rather than create one.
    const retry = group.every((e) => e.retried);
    if (!retry && this.pos > FILE_HEADER_SIZE && this.pos + bytes > this.o.maxFileSize) {
      try {
        await this.roll();
      } catch (err) {
        return this.undo(group, this.pos, err);
      }
    }
    const start = this.pos;
    try {
      await writeAll(this.handle!, [encodeFrameHeader(records, bytes - FRAME_HEADER_SIZE), ...records], start);
      if (this.o.fsyncPerTransaction) await this.handle!.datasync();
      else this.dirty = true;
    } catch (err) {
      return this.undo(group, start, err);
    }
    this.pos = start + bytes;
    let offset = start + FRAME_HEADER_SIZE;
    for (const e of group) {
      e.apply(this.fileId, offset);
      offset += e.record.length;
    }
    this.applied = { fileId: this.fileId, offset: this.pos };
    for (const e of group) e.resolve();
  }

  /**
   * A failed group: cut the file back to where the group began. Out of space, the puts fail with
   * SLUICE_CHANNEL_DISK_FULL and the takes are tried once more on their own; any other error (and a
   * failed fdatasync, after which the page cache cannot be trusted) stops all writes until restart.
   */
  private async undo(group: Entry[], start: number, err: unknown): Promise<void> {
    const full = DISK_FULL.has((err as NodeJS.ErrnoException).code ?? '');
    try {
      await this.handle!.truncate(start);
    } catch (cause) {
      return rejectAll(group, this.fail('truncate', cause));
    }
    if (!full) return rejectAll(group, this.fail('write', err));
    this.o.onDiskFull();
    const e = new SluiceError('SLUICE_CHANNEL_DISK_FULL', `Channel "${this.o.channel}" could not write: the disk holding ${this.files.get(this.fileId)} is full.`, { cause: err });
    this.o.logger.error({ err }, `Channel "${this.o.channel}" could not write to ${this.files.get(this.fileId)}: the disk is full. Puts fail until space is freed; takes go on.`);
    const takes: Entry[] = [];
    for (const x of group) {
      if (x.put || x.retried) x.reject(e);
      else takes.push({ ...x, retried: true });
    }
    this.pending.unshift(...takes);
  }

  private fail(what: string, err: unknown): SluiceError {
    if (this.failure) return this.failure;
    this.failure = new SluiceError('SLUICE_CHANNEL_IO', `Channel "${this.o.channel}" stopped writing after a failed ${what} of ${this.files.get(this.fileId)}: ${(err as Error).message}. Restart the agent once the disk is healthy; committed events are recovered from disk.`, { cause: err });
    this.o.logger.error({ err }, this.failure.message);
    return this.failure;
  }

  /** The old file is synced before the new one exists, so only the newest file can have a torn tail. */
  private async roll(): Promise<void> {
    const old = this.handle!;
    if (this.dirty) await old.datasync();
    this.dirty = false;
    await this.create(this.fileId + 1);
    await old.close();
  }

  private async create(fileId: number): Promise<void> {
    const dir = this.o.dataDirs[fileId % this.o.dataDirs.length]!;
    const path = join(dir, dataFileName(fileId));
    const h = await open(path, 'wx+');
    try {
      await writeAll(h, [encodeFileHeader(fileId)], 0);
      await h.datasync();
      await fsyncDir(dir);
    } catch (err) {
      await h.close();
      await unlink(path).catch(() => undefined);
      throw err;
    }
    this.files.set(fileId, path);
    this.handle = h;
    this.fileId = fileId;
    this.pos = FILE_HEADER_SIZE;
  }
}

function rejectAll(group: Entry[], err: unknown): void {
  for (const e of group) e.reject(err);
}

/** writev until everything is written: a short write (disk nearly full) continues where it stopped. */
async function writeAll(h: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await h.writev(rest, position);
    if (bytesWritten === 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
    position += bytesWritten;
    let n = bytesWritten;
    let i = 0;
    while (i < rest.length && n >= rest[i]!.length) n -= rest[i++]!.length;
    rest = rest.slice(i);
    if (n > 0) rest[0] = rest[0]!.subarray(n);
  }
}
