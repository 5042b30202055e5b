/**
 * The slice of Avro's binary encoding this protocol needs, read straight from a message buffer.
 * Hand-written because it is the hot path of the tier link: no intermediate objects, byte strings
 * come back as subarrays of the message buffer (no copy).
 */
import { SluiceError } from '../errors.ts';

function truncated(what: string): SluiceError {
  return new SluiceError('SLUICE_RPC_PROTOCOL', `Avro data ends inside ${what}.`);
}

export class AvroReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
    this.end = buf.length;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Zigzag varint. Values outside ±2^53 are refused: nothing in this protocol needs them. */
  long(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw truncated('a number');
    let b = buf[pos++]!;
    let n = b & 0x7f;
    let scale = 128;
    while (b & 0x80) {
      if (pos >= this.end) throw truncated('a number');
      if (scale > 2 ** 49) {
        throw new SluiceError('SLUICE_RPC_PROTOCOL', 'Avro number is longer than 53 bits.');
      }
      b = buf[pos++]!;
      n += (b & 0x7f) * scale;
      scale *= 128;
    }
    this.pos = pos;
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  boolean(): boolean {
    if (this.pos >= this.end) throw truncated('a boolean');
    const b = this.buf[this.pos++]!;
    if (b > 1) throw new SluiceError('SLUICE_RPC_PROTOCOL', `Invalid Avro boolean byte ${b}.`);
    return b === 1;
  }

  private length(what: string): number {
    const n = this.long();
    if (n < 0) throw new SluiceError('SLUICE_RPC_PROTOCOL', `Negative Avro ${what} length ${n}.`);
    if (n > this.end - this.pos) throw truncated(what);
    return n;
  }

  /** A subarray of the message buffer: it lives as long as the message buffer does. */
  bytes(): Buffer {
    const n = this.length('bytes');
    const start = this.pos;
    this.pos = start + n;
    return this.buf.subarray(start, this.pos);
  }

  /** Short ASCII strings (typical header keys and values) are decoded by hand: ~2× faster. */
  string(): string {
    const n = this.length('string');
    const buf = this.buf;
    const start = this.pos;
    const end = start + n;
    this.pos = end;
    if (n <= 16) {
      let s = '';
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c > 127) return buf.toString('utf8', start, end);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return buf.toString('utf8', start, end);
  }

  /**
   * Item count of the next map/array block, 0 at the end. A negative count is followed by the
   * block's byte size, which is skipped: writers may use that form even though Java and avsc don't.
   * Every item takes at least one byte, so a count larger than what is left is malformed; checking
   * it here keeps a hostile count from driving allocation.
   */
  blockCount(): number {
    let n = this.long();
    if (n < 0) {
      n = -n;
      this.long();
    }
    if (n > this.end - this.pos) {
      throw new SluiceError('SLUICE_RPC_PROTOCOL', `Avro block claims ${n} items in ${this.remaining} bytes.`);
    }
    return n;
  }

  stringMap(): Record<string, string> {
    const map: Record<string, string> = {};
    for (let n = this.blockCount(); n !== 0; n = this.blockCount()) {
      for (let i = 0; i < n; i++) {
        const key = this.string();
        const value = this.string();
        if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true });
        else map[key] = value;
      }
    }
    return map;
  }

  /** Call metadata (`map<bytes>`): nothing in Flume uses it, so it is read past. */
  skipBytesMap(): void {
    for (let n = this.blockCount(); n !== 0; n = this.blockCount()) {
      for (let i = 0; i < n; i++) {
        this.pos += this.length('string');
        this.pos += this.length('bytes');
      }
    }
  }
}

/** Bytes taken by the zigzag varint of a non-negative `n`. */
export function longSize(n: number): number {
  let z = n * 2;
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** Writes the zigzag varint of a non-negative `n` at `pos`; returns the position after it. */
export function writeLong(buf: Buffer, pos: number, n: number): number {
  let z = n * 2;
  while (z >= 128) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}
