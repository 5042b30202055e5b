/**
 * LINE deserializer (org.apache.flume.serialization.LineDeserializer): one event per `\n`-ended line;
 * `\r` stays in the body, a blank line is an empty event, a last line without `\n` is still an event.
 * A line longer than `maxLineLength` characters (UTF-16 units, as Java counts) is cut into pieces of
 * that many characters.
 *
 * Fast path: UTF-8 in and out and well-formed bytes (checked once per chunk) make each body a
 * subarray of the chunk, with no decoding or copy. Otherwise the line is decoded with the
 * decodeErrorPolicy and re-encoded in outputCharset.
 *
 * Deviations from Flume: a line of exactly N × maxLineLength characters gives N events, not N plus an
 * empty one; a cut never separates the two halves of a surrogate pair (Java turns each half into `?`).
 */
import { isUtf8 } from 'node:buffer';
import type { Event, Headers } from '../../core/event.ts';
import type { ChunkedFile } from './chunks.ts';
import { type DecodeErrorPolicy, type InputCharset, MalformedInput, type OutputCharset } from './charset.ts';
import { badInput, type Deserializer, type Position, type ReaderContext } from './deserializer.ts';

export interface LineOptions {
  input: InputCharset;
  output: OutputCharset;
  maxLineLength: number;
  policy: DecodeErrorPolicy;
}

/** Byte index after `max` UTF-16 units of well-formed UTF-8 from `a`, or `e` if there are no more. */
function utf8Cut(b: Buffer, a: number, e: number, max: number): number {
  let units = 0;
  let i = a;
  while (i < e) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    const u = n === 4 ? 2 : 1;
    if (units + u > max) return i;
    units += u;
    i += n;
    if (units === max) return i;
  }
  return e;
}

export class LineReader implements Deserializer {
  private readonly f: ChunkedFile;
  private readonly headers: () => Headers;
  private readonly fast: boolean;
  /** Without a newline in this many bytes, a line certainly holds a full piece: cut it now. */
  private readonly cutAt: number;
  private lineStart: number;
  private pieces = 0;
  private skip: number;
  /** Slow path: decoded text of the current line not yet returned. */
  private text = '';
  /** `text` runs to the end of its line, and the next line starts at `nextLine`. */
  private textEnds = false;
  private nextLine = 0;
  /** buf[.., checkedEnd) was checked as one region after the last fill; `regionValid` is the verdict. */
  private checkedEnd = -1;
  private regionValid = false;
  private failure: unknown;

  constructor(
    private readonly ctx: ReaderContext,
    private readonly o: LineOptions,
  ) {
    this.f = ctx.file;
    this.headers = ctx.headers;
    this.fast = o.input.name === 'UTF-8' && o.output.name === 'UTF-8';
    this.cutAt = o.maxLineLength * 4 + 4;
    this.lineStart = ctx.at.offset;
    this.skip = ctx.at.records;
  }

  get position(): Position {
    return { offset: this.lineStart, records: this.pieces };
  }

  async read(max: number): Promise<Event[]> {
    if (this.failure) throw this.failure;
    const out: Event[] = [];
    const f = this.f;
    try {
      if (!this.emitText(out, max)) return out;
      while (out.length < max) {
        const nl = this.findNewline();
        if (nl >= 0) this.line(f.start, nl, nl + this.o.input.width, out, max);
        else if (f.eof) {
          if (f.start === f.end && this.text.length === 0 && this.pieces === 0) break;
          this.line(f.start, f.end, f.end, out, max);
        } else if (f.end - f.start > this.cutAt) this.cutLong(out, max);
        else {
          await f.fill();
          this.checkedEnd = -1;
        }
      }
    } catch (err) {
      // The lines before the bad one are good: they go out first, the error with the next read.
      if (out.length === 0) throw err;
      this.failure = err;
    }
    return out;
  }

  private findNewline(): number {
    const f = this.f;
    const nl = this.o.input.newline;
    if (nl.length === 1) return f.buf.indexOf(0x0a, f.start);
    for (let i = f.start; ; ) {
      const k = f.buf.indexOf(nl, i);
      if (k < 0 || (k - f.start) % 2 === 0) return k;
      i = k + 1;
    }
  }

  /** Returns the line `buf[s, e)`, which ends where the next line starts at `next`. */
  private line(s: number, e: number, next: number, out: Event[], max: number): void {
    const f = this.f;
    if (this.fast && this.text.length === 0 && this.valid(s, e)) {
      let a = s;
      while (e - a > this.o.maxLineLength) {
        const cut = utf8Cut(f.buf, a, e, this.o.maxLineLength);
        if (cut >= e) break;
        if (out.length >= max) {
          f.start = a;
          return;
        }
        this.piece(f.buf.subarray(a, cut), out);
        a = cut;
      }
      if (out.length >= max) {
        f.start = a;
        return;
      }
      if (e > a || this.pieces === 0) this.emit(f.buf.subarray(a, e), out);
      f.start = next;
      this.lineStart = f.offsetOf(next);
      this.pieces = 0;
      return;
    }
    this.text += this.decode(s, e);
    this.textEnds = true;
    this.nextLine = f.offsetOf(next);
    f.start = next;
    this.emitText(out, max);
  }

  /** No newline in a long stretch: returns the whole pieces it holds and keeps the rest. */
  private cutLong(out: Event[], max: number): void {
    const f = this.f;
    const e = this.o.input.boundary(f.buf, f.start, f.end);
    if (this.fast && this.text.length === 0 && this.valid(f.start, e)) {
      let a = f.start;
      while (out.length < max) {
        const cut = utf8Cut(f.buf, a, e, this.o.maxLineLength);
        if (cut >= e) break;
        this.piece(f.buf.subarray(a, cut), out);
        a = cut;
      }
      f.start = a;
      return;
    }
    this.text += this.decode(f.start, e);
    f.start = e;
    this.emitText(out, max);
  }

  /** Returns pieces of `text`; false when `out` filled up first. */
  private emitText(out: Event[], max: number): boolean {
    const limit = this.o.maxLineLength;
    while (out.length < max) {
      const text = this.text;
      if (text.length > limit || (!this.textEnds && text.length === limit)) {
        const high = text.charCodeAt(limit - 1);
        const cut = high >= 0xd800 && high <= 0xdbff && limit > 1 ? limit - 1 : limit;
        this.piece(this.o.output.encode(text.slice(0, cut)), out);
        this.text = text.slice(cut);
        continue;
      }
      if (!this.textEnds) return true;
      if (text.length > 0 || this.pieces === 0) this.emit(this.o.output.encode(text), out);
      this.text = '';
      this.textEnds = false;
      this.lineStart = this.nextLine;
      this.pieces = 0;
      return true;
    }
    return false;
  }

  /** A piece of a line that goes on after it. */
  private piece(body: Buffer, out: Event[]): void {
    if (this.pieces === 0) this.ctx.onSplit(this.lineStart);
    this.emit(body, out);
    this.pieces++;
  }

  private emit(body: Buffer, out: Event[]): void {
    if (this.skip > 0) this.skip--;
    else out.push({ headers: this.headers(), body });
  }

  /** Well-formed UTF-8? Checked for everything up to the last newline at once, line by line only if that fails. */
  private valid(s: number, e: number): boolean {
    const buf = this.f.buf;
    if (e > this.checkedEnd) {
      this.checkedEnd = Math.max(e, buf.lastIndexOf(0x0a, buf.length - 1));
      this.regionValid = isUtf8(buf.subarray(s, this.checkedEnd));
    }
    return this.regionValid || isUtf8(buf.subarray(s, e));
  }

  private decode(s: number, e: number): string {
    try {
      return this.o.input.decode(this.f.buf.subarray(s, e), this.o.policy);
    } catch (err) {
      if (!(err instanceof MalformedInput)) throw err;
      const at = this.f.offsetOf(s) + err.at;
      throw badInput(this.f, at, `bytes that are not valid ${this.o.input.name} (decodeErrorPolicy FAIL; REPLACE or IGNORE would read past them)`);
    }
  }
}
