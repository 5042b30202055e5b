/**
 * The file channel's on-disk records. A data file is a header followed by frames; a frame is what one
 * group commit wrote (one write, one fdatasync) and holds records; a record is one committed put
 * transaction (the whole batch) or one committed take transaction (ranges of earlier put records).
 *
 *   file header  "SLDF" u32 version, u32 fileId, u32 crc
 *   frame        "SLFR" u32 bodyLength, u32 records, u32 crc of the records' crcs, u32 crc of these 16 bytes
 *   record       u32 length, u32 crc (of what follows), u8 type, payload
 *   PUT payload  u32 events, then per event: u32 headers, u32 bodyLength, (u32 len, key, u32 len, value)*, body
 *   TAKE payload u32 ranges, then per range: u32 fileId, u32 record offset, u32 first event, u32 end event
 *
 * Every integer is little-endian. A frame is valid only if every record in it is, so a group commit torn
 * by a crash or power loss is dropped as a whole: none of its commits had returned.
 */
import { crc32 } from 'node:zlib';
import type { Event, Headers } from '../../core/event.ts';

export const FILE_MAGIC = 0x46444c53; // "SLDF"
export const FRAME_MAGIC = 0x52464c53; // "SLFR"
export const FILE_HEADER_SIZE = 16;
export const FRAME_HEADER_SIZE = 20;
export const RECORD_HEADER_SIZE = 9;
export const FORMAT_VERSION = 1;
export const PUT = 1;
export const TAKE = 2;

/** Events `start` (inclusive) to `end` (exclusive) of the put record at `offset` in data file `fileId`. */
export interface Range {
  fileId: number;
  offset: number;
  start: number;
  end: number;
}

export function encodeFileHeader(fileId: number): Buffer {
  const b = Buffer.allocUnsafe(FILE_HEADER_SIZE);
  b.writeUInt32LE(FILE_MAGIC, 0);
  b.writeUInt32LE(FORMAT_VERSION, 4);
  b.writeUInt32LE(fileId, 8);
  b.writeUInt32LE(crc32(b.subarray(0, 12)), 12);
  return b;
}

/** The file id a header names, or undefined when the header is not one of ours or is damaged. */
export function decodeFileHeader(b: Buffer): number | undefined {
  if (b.length < FILE_HEADER_SIZE || b.readUInt32LE(0) !== FILE_MAGIC) return undefined;
  if (b.readUInt32LE(12) !== crc32(b.subarray(0, 12)) || b.readUInt32LE(4) !== FORMAT_VERSION) return undefined;
  return b.readUInt32LE(8);
}

/** One PUT record holding every event of a put transaction (several put() calls are concatenated). */
export function encodePut(batches: readonly Event[][], count: number): Buffer {
  // Sized from an upper bound (3 bytes per UTF-16 unit) so each string is written once, not measured first.
  let max = RECORD_HEADER_SIZE + 4;
  for (const events of batches) {
    for (const e of events) {
      max += 8 + e.body.length;
      for (const k in e.headers) max += 8 + 3 * (k.length + e.headers[k]!.length);
    }
  }
  const b = Buffer.allocUnsafe(max);
  b[8] = PUT;
  b.writeUInt32LE(count, 9);
  let p = 13;
  for (const events of batches) {
    for (const e of events) {
      const counted = p;
      p += 8;
      let n = 0;
      for (const k in e.headers) {
        p = writeString(b, p, k);
        p = writeString(b, p, e.headers[k]!);
        n++;
      }
      b.writeUInt32LE(n, counted);
      b.writeUInt32LE(e.body.length, counted + 4);
      p += e.body.copy(b, p);
    }
  }
  return seal(b.subarray(0, p));
}

function writeString(b: Buffer, p: number, s: string): number {
  const n = b.write(s, p + 4, 'utf8');
  b.writeUInt32LE(n, p);
  return p + 4 + n;
}

export function encodeTake(ranges: readonly Range[]): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER_SIZE + 4 + 16 * ranges.length);
  b[8] = TAKE;
  b.writeUInt32LE(ranges.length, 9);
  let p = 13;
  for (const r of ranges) {
    b.writeUInt32LE(r.fileId, p);
    b.writeUInt32LE(r.offset, p + 4);
    b.writeUInt32LE(r.start, p + 8);
    b.writeUInt32LE(r.end, p + 12);
    p += 16;
  }
  return seal(b);
}

function seal(b: Buffer): Buffer {
  b.writeUInt32LE(b.length - 8, 0);
  b.writeUInt32LE(crc32(b.subarray(8)), 4);
  return b;
}

/** The header of a frame holding `records`; it commits to each record's crc, not just to their count. */
export function encodeFrameHeader(records: readonly Buffer[], bodyLength: number): Buffer {
  const crcs = Buffer.allocUnsafe(4 * records.length);
  for (let i = 0; i < records.length; i++) crcs.writeUInt32LE(records[i]!.readUInt32LE(4), 4 * i);
  const h = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  h.writeUInt32LE(FRAME_MAGIC, 0);
  h.writeUInt32LE(bodyLength, 4);
  h.writeUInt32LE(records.length, 8);
  h.writeUInt32LE(crc32(crcs), 12);
  h.writeUInt32LE(crc32(h.subarray(0, 16)), 16);
  return h;
}

/** Body length and record count of the frame header at `p`, or undefined when it is not a valid header. */
export function readFrameHeader(b: Buffer, p: number): { bodyLength: number; records: number; crc: number } | undefined {
  if (p + FRAME_HEADER_SIZE > b.length || b.readUInt32LE(p) !== FRAME_MAGIC) return undefined;
  if (b.readUInt32LE(p + 16) !== crc32(b.subarray(p, p + 16))) return undefined;
  return { bodyLength: b.readUInt32LE(p + 4), records: b.readUInt32LE(p + 8), crc: b.readUInt32LE(p + 12) };
}

/**
 * Checks a frame body (`b[from, to)`) against its header: records that exactly fill it, each with a
 * matching crc, and the header's crc over those crcs. Returns the offset of each record, or undefined.
 */
export function checkFrameBody(b: Buffer, from: number, to: number, records: number, crc: number): number[] | undefined {
  const offsets: number[] = [];
  const crcs = Buffer.allocUnsafe(4 * records);
  let p = from;
  for (let i = 0; i < records; i++) {
    if (p + RECORD_HEADER_SIZE > to) return undefined;
    const end = p + 8 + b.readUInt32LE(p);
    if (end > to || end < p + RECORD_HEADER_SIZE) return undefined;
    const c = b.readUInt32LE(p + 4);
    if (crc32(b.subarray(p + 8, end)) !== c) return undefined;
    crcs.writeUInt32LE(c, 4 * i);
    offsets.push(p);
    p = end;
  }
  return p === to && crc32(crcs) === crc ? offsets : undefined;
}

/** Verifies one record read on its own (a take reading a put back from disk). */
export function recordIntact(b: Buffer): boolean {
  return b.length >= RECORD_HEADER_SIZE && b.readUInt32LE(0) === b.length - 8 && crc32(b.subarray(8)) === b.readUInt32LE(4);
}

/** Number of events in the PUT record at `p`. */
export function putCount(b: Buffer, p: number): number {
  return b.readUInt32LE(p + 9);
}

/** Decodes a whole PUT record; bodies are views into `b`, not copies. */
export function decodePut(b: Buffer): Event[] {
  const count = b.readUInt32LE(9);
  const events: Event[] = new Array(count);
  let p = 13;
  for (let i = 0; i < count; i++) {
    const n = b.readUInt32LE(p);
    const bodyLength = b.readUInt32LE(p + 4);
    p += 8;
    const headers: Headers = {};
    for (let h = 0; h < n; h++) {
      const kl = b.readUInt32LE(p);
      const k = b.toString('utf8', p + 4, p + 4 + kl);
      p += 4 + kl;
      const vl = b.readUInt32LE(p);
      headers[k] = b.toString('utf8', p + 4, p + 4 + vl);
      p += 4 + vl;
    }
    events[i] = { headers, body: b.subarray(p, p + bodyLength) };
    p += bodyLength;
  }
  return events;
}

/** Calls `fn` for each range of the TAKE record at `p`. */
export function forEachRange(b: Buffer, p: number, fn: (fileId: number, offset: number, start: number, end: number) => void): void {
  const n = b.readUInt32LE(p + 9);
  for (let i = 0, q = p + 13; i < n; i++, q += 16) {
    fn(b.readUInt32LE(q), b.readUInt32LE(q + 4), b.readUInt32LE(q + 8), b.readUInt32LE(q + 12));
  }
}
