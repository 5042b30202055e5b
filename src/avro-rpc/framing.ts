/**
 * Avro's Netty transport framing (`NettyTransportCodec`/`NettyDataPack`), used by Flume's avro
 * source and sink: pack = int32 serial, int32 count, count × (int32 length, bytes), big-endian.
 * The message is the concatenation of a pack's buffers; zero-length buffers are legal and mean
 * nothing. This is not the terminator-based framing of the Avro spec.
 *
 * Java's decoder has no real size limit; this one refuses a pack over `maxPackBytes` or with more
 * than `maxBuffersPerPack` buffers before buffering it, so a hostile peer cannot exhaust memory.
 */
import { SluiceError } from '../errors.ts';

export interface PackLimits {
  /** Largest message (sum of a pack's buffer lengths) accepted. */
  maxPackBytes: number;
  /** Most buffers one pack may declare. Java splits messages into ≤ 8 KiB buffers. */
  maxBuffersPerPack: number;
}

export const DEFAULT_PACK_LIMITS: PackLimits = {
  maxPackBytes: 64 * 1024 * 1024,
  maxBuffersPerPack: 65536,
};

const HEADER = 0;
const LENGTH = 1;
const DATA = 2;

/** Incremental decoder: feed it stream chunks, it calls `onPack` once per complete pack. */
export class PackDecoder {
  private state: number = HEADER;
  private readonly small = Buffer.alloc(8);
  private smallLen = 0;
  private serial = 0;
  private buffersLeft = 0;
  private need = 0;
  private total = 0;
  private pieces: Buffer[] = [];

  constructor(
    private readonly limits: PackLimits,
    private readonly onPack: (serial: number, message: Buffer) => void,
  ) {}

  /** Throws `SLUICE_RPC_FRAME` on a malformed or oversized pack; the stream is then unusable. */
  push(chunk: Buffer): void {
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      if (this.state === DATA) {
        const take = Math.min(this.need, len - off);
        this.pieces.push(chunk.subarray(off, off + take));
        off += take;
        this.need -= take;
        if (this.need === 0) this.bufferDone();
        continue;
      }
      const want = this.state === HEADER ? 8 : 4;
      let src: Buffer;
      let at: number;
      if (this.smallLen === 0 && len - off >= want) {
        src = chunk;
        at = off;
        off += want;
      } else {
        const copy = Math.min(want - this.smallLen, len - off);
        chunk.copy(this.small, this.smallLen, off, off + copy);
        this.smallLen += copy;
        off += copy;
        if (this.smallLen < want) return;
        this.smallLen = 0;
        src = this.small;
        at = 0;
      }
      if (this.state === HEADER) this.header(src.readInt32BE(at), src.readInt32BE(at + 4));
      else this.length(src.readInt32BE(at));
    }
  }

  private header(serial: number, count: number): void {
    if (count < 0 || count > this.limits.maxBuffersPerPack) {
      throw new SluiceError(
        'SLUICE_RPC_FRAME',
        `Pack ${serial} declares ${count} buffers; the limit is ${this.limits.maxBuffersPerPack}.`,
        { serial, count },
      );
    }
    this.serial = serial;
    this.buffersLeft = count;
    this.total = 0;
    if (count === 0) this.emit();
    else this.state = LENGTH;
  }

  private length(n: number): void {
    if (n < 0 || this.total + n > this.limits.maxPackBytes) {
      throw new SluiceError(
        'SLUICE_RPC_FRAME',
        `Pack ${this.serial} is larger than the limit of ${this.limits.maxPackBytes} bytes (buffer of ${n}).`,
        { serial: this.serial, length: n },
      );
    }
    this.total += n;
    if (n === 0) {
      this.bufferDone();
    } else {
      this.need = n;
      this.state = DATA;
    }
  }

  private bufferDone(): void {
    if (--this.buffersLeft === 0) this.emit();
    else this.state = LENGTH;
  }

  /** One piece is passed through as is (no copy); several are joined once. */
  private emit(): void {
    const pieces = this.pieces;
    const message =
      pieces.length === 1 ? pieces[0]! : pieces.length === 0 ? Buffer.alloc(0) : Buffer.concat(pieces, this.total);
    this.pieces = [];
    this.state = HEADER;
    this.onPack(this.serial, message);
  }
}

/**
 * Allocates one buffer holding a whole pack with buffers of the given sizes and writes its
 * framing; the caller fills in each buffer's bytes from the returned offsets.
 */
export function allocPack(
  serial: number,
  sizes: readonly number[],
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): { pack: Buffer; offsets: number[] } {
  let size = 8;
  for (const s of sizes) size += 4 + s;
  const pack = alloc(size);
  pack.writeInt32BE(serial, 0);
  pack.writeInt32BE(sizes.length, 4);
  const offsets: number[] = [];
  let pos = 8;
  for (const s of sizes) {
    pack.writeInt32BE(s, pos);
    offsets.push(pos + 4);
    pos += 4 + s;
  }
  return { pack, offsets };
}
