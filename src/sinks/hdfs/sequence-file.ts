/**
 * Hadoop SequenceFile version 6 as Flume's HDFSSequenceFile writes it (flume-wire.md §3.1): key
 * LongWritable (the `timestamp` header, else the write time), value BytesWritable (`Writable`) or
 * Text (`Text`), no metadata, a random sync marker per file. Uncompressed, or BLOCK-compressed when
 * `hdfs.codeC` is set. Sync markers follow Hadoop 3's rules: one before a record once 102400 bytes
 * passed since the last, and one at every flush (each batch) if anything was written since.
 */
import { randomBytes } from 'node:crypto';
import type { Event } from '../../core/event.ts';
import type { EventSerializer } from '../util/serializers/index.ts';
import type { Codec } from './compress.ts';

export type WriteFormat = 'Writable' | 'Text';

const SYNC_INTERVAL = 100 * 1024;
const BLOCK_SIZE = 1_000_000;
const ESCAPE = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const VALUE_CLASS: Record<WriteFormat, string> = { Writable: 'org.apache.hadoop.io.BytesWritable', Text: 'org.apache.hadoop.io.Text' };

/** Hadoop's WritableUtils.writeVLong. */
export function vlong(n: number): Buffer {
  if (n >= -112 && n <= 127) return Buffer.from([n & 0xff]);
  let len = -112;
  let v = n;
  if (v < 0) {
    v = -v - 1;
    len = -120;
  }
  const bytes: number[] = [];
  for (let t = v; t !== 0; t = Math.floor(t / 256)) bytes.unshift(t % 256);
  return Buffer.from([(len - bytes.length) & 0xff, ...bytes]);
}

const text = (s: string): Buffer => Buffer.concat([vlong(Buffer.byteLength(s)), Buffer.from(s)]);

function key(e: Event, now: number): Buffer {
  const raw = e.headers['timestamp'];
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(BigInt(raw !== undefined && /^[+-]?\d{1,19}$/.test(raw) ? raw : now));
  return b;
}

export class SequenceFileSerializer implements EventSerializer {
  readonly supportsReopen = false;
  private readonly sync = randomBytes(16);
  private pos = 0;
  private lastSyncPos = 0;

  constructor(
    private readonly format: WriteFormat,
    private readonly codec: Codec | undefined,
  ) {}

  header(): Buffer {
    const parts = [Buffer.from('SEQ\x06', 'latin1'), text('org.apache.hadoop.io.LongWritable'), text(VALUE_CLASS[this.format])];
    parts.push(Buffer.from(this.codec ? [1, 1] : [0, 0]));
    if (this.codec) parts.push(text(this.codec.className));
    parts.push(Buffer.alloc(4), this.sync);
    const h = Buffer.concat(parts);
    this.pos = h.length;
    return h;
  }

  encode(events: readonly Event[]): Buffer {
    const out: Buffer[] = [];
    const now = Date.now();
    if (this.codec) this.blocks(events, now, out);
    else {
      for (const e of events) {
        if (this.pos >= this.lastSyncPos + SYNC_INTERVAL) this.marker(out);
        const k = key(e, now);
        const v = this.value(e.body);
        const head = Buffer.allocUnsafe(8);
        head.writeInt32BE(k.length + v.length, 0);
        head.writeInt32BE(k.length, 4);
        out.push(head, k, ...v.parts);
        this.pos += 8 + k.length + v.length;
      }
      this.marker(out);
    }
    return Buffer.concat(out);
  }

  private value(body: Buffer): { parts: Buffer[]; length: number } {
    let len: Buffer;
    if (this.format === 'Text') len = vlong(body.length);
    else {
      len = Buffer.allocUnsafe(4);
      len.writeInt32BE(body.length);
    }
    return { parts: [len, body], length: len.length + body.length };
  }

  /** BLOCK compression: buffered records leave as one block at each flush or every ~1 MB. */
  private blocks(events: readonly Event[], now: number, out: Buffer[]): void {
    let keyLens: Buffer[] = [];
    let keys: Buffer[] = [];
    let valLens: Buffer[] = [];
    let vals: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (keys.length === 0) return;
      this.marker(out);
      const block = [vlong(keys.length)];
      for (const part of [keyLens, keys, valLens, vals]) {
        const z = this.codec!.compress(Buffer.concat(part));
        block.push(vlong(z.length), z);
      }
      for (const b of block) this.pos += b.length;
      out.push(...block);
      keyLens = [];
      keys = [];
      valLens = [];
      vals = [];
      size = 0;
    };
    for (const e of events) {
      const k = key(e, now);
      const v = this.value(e.body);
      keyLens.push(vlong(k.length));
      keys.push(k);
      valLens.push(vlong(v.length));
      vals.push(...v.parts);
      size += k.length + v.length;
      if (size >= BLOCK_SIZE) flush();
    }
    flush();
  }

  private marker(out: Buffer[]): void {
    if (this.pos === this.lastSyncPos) return;
    out.push(ESCAPE, this.sync);
    this.pos += 20;
    this.lastSyncPos = this.pos;
  }
}
