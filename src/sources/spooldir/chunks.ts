/**
 * A spooled file read forward in large chunks, with the next chunk already being read while the
 * current one is parsed. Deserializers look at `buf[start, end)` (`end` is always `buf.length`) and
 * advance `start`; `fill()` keeps the unparsed tail and appends the next chunk.
 *
 * Every chunk is a fresh buffer because event bodies are subarrays of it (no copy): a chunk lives
 * until the last event cut from it is delivered. Each buffer has free room in front so the unparsed
 * tail of the previous chunk (usually a partial line) is copied there instead of into a new buffer.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export const CHUNK_BYTES = 1 << 20;
const HEAD_ROOM = 64 << 10;

interface Read {
  buf: Buffer;
  n: number;
}

export class ChunkedFile {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** True once a read returned nothing: `buf[start, end)` is all that is left. */
  eof = false;
  /** File offset of `buf[0]`. */
  private base: number;
  private ahead: Promise<Read> | undefined;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    offset: number,
  ) {
    this.base = offset;
  }

  static async open(path: string, offset: number): Promise<ChunkedFile> {
    return new ChunkedFile(path, await open(path, 'r'), offset);
  }

  /** File offset of `buf[i]`. */
  offsetOf(i: number): number {
    return this.base + i;
  }

  stat(): Promise<Stats> {
    return this.fh.stat();
  }

  /** Keeps `buf[start, end)` and appends the next chunk; sets `eof` when there is none. */
  async fill(): Promise<void> {
    if (this.eof) return;
    const next = await (this.ahead ?? this.readAt(this.base + this.end));
    this.ahead = undefined;
    if (next.n === 0) {
      this.eof = true;
      return;
    }
    const keep = this.end - this.start;
    const from = this.base + this.start;
    let buf: Buffer;
    let start: number;
    if (keep <= HEAD_ROOM) {
      buf = next.buf;
      start = HEAD_ROOM - keep;
      this.buf.copy(buf, start, this.start, this.end);
    } else {
      buf = Buffer.allocUnsafe(keep + next.n);
      start = 0;
      this.buf.copy(buf, 0, this.start, this.end);
      next.buf.copy(buf, keep, HEAD_ROOM, HEAD_ROOM + next.n);
    }
    this.end = start + keep + next.n;
    // Bounded so that indexOf never searches past the data.
    this.buf = buf.length === this.end ? buf : buf.subarray(0, this.end);
    this.start = start;
    this.base = from - start;
    this.ahead = this.readAt(this.base + this.end);
  }

  /** Fills until at least `n` bytes follow `start`; false when the file ends first. */
  async need(n: number): Promise<boolean> {
    const missing = n - (this.end - this.start);
    if (missing > CHUNK_BYTES && !this.eof) await this.grow(missing);
    while (this.end - this.start < n) {
      if (this.eof) return false;
      await this.fill();
    }
    return true;
  }

  /** Starts over at `offset`, dropping what is buffered. */
  async seek(offset: number): Promise<void> {
    await this.ahead?.catch(() => undefined);
    this.ahead = undefined;
    this.buf = Buffer.alloc(0);
    this.start = this.end = 0;
    this.base = offset;
    this.eof = false;
  }

  /** One read of what a large unit (an Avro block) still needs, instead of chunk after chunk. */
  private async grow(missing: number): Promise<void> {
    await this.ahead?.catch(() => undefined);
    this.ahead = undefined;
    const keep = this.end - this.start;
    const buf = Buffer.allocUnsafe(keep + missing);
    this.buf.copy(buf, 0, this.start, this.end);
    const n = await this.readDirect(buf.subarray(keep), this.base + this.end);
    this.base += this.start;
    this.start = 0;
    this.end = keep + n;
    this.buf = buf.subarray(0, this.end);
    if (n < missing) this.eof = true;
  }

  /** Reads into `buf` at `position`, bypassing the chunks: for events that own their whole buffer. */
  async readDirect(buf: Buffer, position: number): Promise<number> {
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await this.fh.read(buf, n, buf.length - n, position + n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return n;
  }

  async close(): Promise<void> {
    await this.ahead?.catch(() => undefined);
    this.ahead = undefined;
    await this.fh.close();
  }

  private readAt(position: number): Promise<Read> {
    const buf = Buffer.allocUnsafe(HEAD_ROOM + CHUNK_BYTES);
    const p = this.fh.read(buf, HEAD_ROOM, CHUNK_BYTES, position).then(({ bytesRead }) => ({ buf, n: bytesRead }));
    // A read-ahead nobody waits for (the file is closed first) must not become an unhandled rejection.
    p.catch(() => undefined);
    return p;
  }
}
