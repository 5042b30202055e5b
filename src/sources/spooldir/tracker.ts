/**
 * Read positions of the files being spooled: one small JSON file per spooled file in
 * `<trackerDir>/.sluice/`, holding the file's path relative to spoolDir, its identity (size, mtime,
 * inode) and the position of the first event not yet delivered. Replaced atomically (temp file, sync,
 * rename, fsync of the directory), so a crash leaves the old or the new position, never a torn one.
 *
 * Flume keeps one Avro meta file (`.flumespool-main.meta`) for the single file it reads and loses the
 * position of a file it leaves for another; per-file positions let several files be in flight (one
 * being read, earlier ones waiting for delivery) and make a resume independent of consumeOrder.
 * The identity tells a resumed file from a different or modified file under the same name.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFile } from '../../core/durable-file.ts';
import type { Position } from './deserializer.ts';

export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export interface TrackedPosition extends Position {
  /** Path relative to spoolDir. */
  readonly file: string;
  readonly identity: FileIdentity;
}

export function identityOf(st: Stats): FileIdentity {
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** What differs between two identities, for error messages. */
export function describeChange(was: FileIdentity, now: FileIdentity): string {
  const parts: string[] = [];
  if (was.ino !== now.ino) parts.push(`inode ${was.ino} → ${now.ino} (another file under the same name)`);
  if (was.size !== now.size) parts.push(`size ${was.size} → ${now.size} bytes`);
  if (was.mtimeMs !== now.mtimeMs) parts.push(`modified ${new Date(was.mtimeMs).toISOString()} → ${new Date(now.mtimeMs).toISOString()}`);
  return parts.join(', ');
}

export class PositionStore {
  readonly dir: string;

  constructor(trackerDir: string) {
    this.dir = join(trackerDir, '.sluice');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  pathOf(file: string): string {
    return join(this.dir, `${createHash('sha1').update(file).digest('hex')}.json`);
  }

  /** The stored position of `file`; undefined if there is none (or it is unreadable: the file is then read again). */
  async load(file: string): Promise<TrackedPosition | undefined> {
    const text = await this.raw(file);
    if (text === '') return undefined;
    try {
      const p = JSON.parse(text) as TrackedPosition;
      return p.file === file && Number.isSafeInteger(p.offset) && Number.isSafeInteger(p.records) ? p : undefined;
    } catch {
      return undefined;
    }
  }

  /** The stored text, '' when there is none: tells whether a position changed since it was last looked at. */
  raw(file: string): Promise<string> {
    return readFile(this.pathOf(file), 'utf8').catch(() => '');
  }

  save(p: TrackedPosition): Promise<void> {
    return replaceFile(this.pathOf(p.file), JSON.stringify(p));
  }

  async remove(file: string): Promise<void> {
    await rm(this.pathOf(file), { force: true });
  }

  /** Every stored position, e.g. to drop those whose file is gone. */
  async all(): Promise<TrackedPosition[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: TrackedPosition[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as TrackedPosition);
      } catch {
        await rm(join(this.dir, name), { force: true });
      }
    }
    return out;
  }
}

/**
 * Saves the latest position of one file, one write at a time: positions that arrive during a write
 * are coalesced into the next, so acknowledgements never wait for the disk and the disk sees at most
 * one fsync'd write per file at a time.
 */
export class PositionWriter {
  private latest: Position | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: PositionStore,
    private readonly file: string,
    private readonly identity: FileIdentity,
    private readonly onError: (err: unknown) => void,
  ) {}

  save(p: Position): void {
    if (this.closed) return;
    this.latest = p;
    this.writing ??= this.drain();
  }

  /** Resolves once the latest position is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stops saving; resolves once a write in progress has finished. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.latest && !this.closed) {
      const { offset, records } = this.latest;
      this.latest = undefined;
      try {
        await this.store.save({ file: this.file, identity: this.identity, offset, records });
      } catch (err) {
        this.onError(err);
      }
    }
    this.writing = undefined;
  }
}
