/**
 * AVRO deserializer (org.apache.flume.serialization.AvroEventDeserializer): reads an Avro object
 * container file, one event per record. The body is the record's binary datum without schema; the
 * header `flume.avro.schema.hash` holds the hex CRC-64-AVRO fingerprint of the schema's parsing
 * canonical form (as SchemaNormalization.parsingFingerprint writes it), or, with schemaType LITERAL,
 * `flume.avro.schema.literal` holds the schema text.
 *
 * Deviations from Flume: the body is the datum's bytes as stored, where Flume decodes and re-encodes
 * the record (identical, unless a writer split an array or map into several blocks); the literal is
 * the schema text stored in the file, where Flume re-renders it (identical for files Java wrote).
 * Codecs: null and deflate.
 */
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { AvroReader } from '../../avro-rpc/avro-binary.ts';
import type { Event, Headers } from '../../core/event.ts';
import type { ChunkedFile } from './chunks.ts';
import { badInput, type Deserializer, type Position, type ReaderContext } from './deserializer.ts';

export type AvroSchemaType = 'HASH' | 'LITERAL';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_SIZE = 16;
/** Two varints of at most 10 bytes each. */
const BLOCK_HEADER_MAX = 20;

const CRC64_EMPTY = 0xc15d213aa4d7a795n;
const CRC64_TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (CRC64_EMPTY & -(fp & 1n) & 0xffffffffffffffffn);
  return fp;
});

/** Avro's CRC-64-AVRO fingerprint of the schema's parsing canonical form, as 8 little-endian bytes in hex. */
export function schemaHash(type: avro.Type): string {
  let fp = CRC64_EMPTY;
  for (const b of Buffer.from(JSON.stringify(type.schema()))) fp = (fp >> 8n) ^ CRC64_TABLE[Number((fp ^ BigInt(b)) & 0xffn)]!;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out.toString('hex');
}

interface Block {
  /** File offset of the block's count. */
  start: number;
  next: number;
  data: Buffer;
  count: number;
  index: number;
  pos: number;
}

interface Header {
  type: avro.Type;
  schemaText: string;
  sync: Buffer;
  inflate: boolean;
}

export class AvroFileReader implements Deserializer {
  private readonly f: ChunkedFile;
  private header!: Header;
  private headerKey!: string;
  private headerValue!: string;
  private block: Block | undefined;
  private blockStart = 0;
  private skip: number;
  private failure: unknown;

  constructor(
    private readonly ctx: ReaderContext,
    private readonly schemaType: AvroSchemaType,
  ) {
    this.f = ctx.file;
    this.skip = ctx.at.records;
  }

  async init(): Promise<this> {
    const f = this.f;
    const at = this.ctx.at.offset;
    if (at > 0) await f.seek(0);
    this.header = await this.readHeader();
    this.blockStart = at > 0 ? at : f.offsetOf(f.start);
    if (at > 0) await f.seek(at);
    const literal = this.schemaType === 'LITERAL';
    this.headerKey = literal ? 'flume.avro.schema.literal' : 'flume.avro.schema.hash';
    this.headerValue = literal ? this.header.schemaText : schemaHash(this.header.type);
    return this;
  }

  get position(): Position {
    const b = this.block;
    return b ? { offset: b.start, records: b.index } : { offset: this.blockStart, records: 0 };
  }

  async read(max: number): Promise<Event[]> {
    if (this.failure) throw this.failure;
    const out: Event[] = [];
    try {
      while (out.length < max) {
        const b = this.block ?? (await this.nextBlock());
        if (!b) break;
        this.records(b, out, max);
        if (b.index >= b.count) {
          this.blockStart = b.next;
          this.block = undefined;
        }
      }
    } catch (err) {
      // The records before a corrupt block are good: they go out first, the error with the next read.
      if (out.length === 0) throw err;
      this.failure = err;
    }
    return out;
  }

  private records(b: Block, out: Event[], max: number): void {
    while (b.index < b.count && out.length < max) {
      const end = this.header.type.decode(b.data, b.pos).offset;
      if (end < 0) throw badInput(this.f, b.start, `Avro block holds fewer than its ${b.count} records: the file is corrupt`);
      const body = b.data.subarray(b.pos, end);
      b.pos = end;
      b.index++;
      if (this.skip > 0) {
        this.skip--;
        continue;
      }
      const headers: Headers = this.ctx.headers();
      headers[this.headerKey] = this.headerValue;
      out.push({ headers, body });
    }
  }

  private async readHeader(): Promise<Header> {
    const f = this.f;
    if (!(await f.need(MAGIC.length)) || !f.buf.subarray(f.start, f.start + MAGIC.length).equals(MAGIC)) {
      throw badInput(f, 0, 'not an Avro container file (it does not start with "Obj" 0x01)');
    }
    for (;;) {
      try {
        const r = new AvroReader(f.buf, f.start + MAGIC.length);
        const meta = new Map<string, Buffer>();
        for (let n = r.blockCount(); n !== 0; n = r.blockCount()) {
          for (let i = 0; i < n; i++) meta.set(r.string(), r.bytes());
        }
        if (r.remaining < SYNC_SIZE) throw new Error('header cut short');
        const sync = Buffer.from(f.buf.subarray(r.pos, r.pos + SYNC_SIZE));
        f.start = r.pos + SYNC_SIZE;
        return this.parseMeta(meta, sync);
      } catch (err) {
        if ((err as { code?: string }).code === 'SLUICE_SOURCE_DECODE') throw err;
        if (f.eof) throw badInput(f, 0, `the Avro container header is incomplete or malformed (${(err as Error).message})`);
        await f.fill();
      }
    }
  }

  private parseMeta(meta: Map<string, Buffer>, sync: Buffer): Header {
    const codec = meta.get('avro.codec')?.toString() ?? 'null';
    if (codec !== 'null' && codec !== 'deflate') {
      throw badInput(this.f, 0, `Avro codec "${codec}" is not supported (null and deflate are)`);
    }
    const schemaText = meta.get('avro.schema')?.toString();
    if (schemaText === undefined) throw badInput(this.f, 0, 'the Avro container header has no avro.schema');
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(JSON.parse(schemaText));
    } catch (err) {
      throw badInput(this.f, 0, `the Avro schema in the header cannot be used (${(err as Error).message})`);
    }
    return { type, schemaText, sync, inflate: codec === 'deflate' };
  }

  private async nextBlock(): Promise<Block | undefined> {
    const f = this.f;
    if (!(await f.need(1))) return undefined;
    await f.need(BLOCK_HEADER_MAX);
    const start = f.offsetOf(f.start);
    let count: number;
    let size: number;
    let headerLen: number;
    try {
      const r = new AvroReader(f.buf, f.start);
      count = r.long();
      size = r.long();
      headerLen = r.pos - f.start;
    } catch {
      throw badInput(f, start, 'the file ends inside an Avro block header');
    }
    if (count < 0 || size < 0) throw badInput(f, start, `an Avro block claims ${count} records in ${size} bytes: the file is corrupt`);
    if (!(await f.need(headerLen + size + SYNC_SIZE))) {
      throw badInput(f, start, `the file ends inside an Avro block of ${size} bytes`);
    }
    const from = f.start + headerLen;
    const sync = f.buf.subarray(from + size, from + size + SYNC_SIZE);
    if (!sync.equals(this.header.sync)) {
      throw badInput(f, f.offsetOf(from + size), 'the Avro sync marker differs from the one in the header: the file is corrupt');
    }
    let data = f.buf.subarray(from, from + size);
    if (this.header.inflate) data = inflateRawSync(data);
    f.start = from + size + SYNC_SIZE;
    this.block = { start, next: f.offsetOf(f.start), data, count, index: 0, pos: 0 };
    return this.block;
  }
}
