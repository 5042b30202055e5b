/**
 * `avro_event` (org.apache.flume.serialization.FlumeEventAvroEventSerializer): an Avro object
 * container file of `Event{headers: map<string>, body: bytes}` with the schema text Flume writes.
 *
 * As Flume flushes its DataFileWriter at every sink flush, each batch ends a block; a block also
 * ends once its data reaches `syncIntervalBytes`, as Java's writer does. Records and the header are
 * encoded by avsc; the block framing is written here because avsc's BlockEncoder is a stream with
 * no public flush, so it could not end a block per batch nor hand back one Buffer per batch.
 * Codecs: `null`, `deflate` (raw DEFLATE, as Avro specifies), `snappy` (snappy data + CRC32 of the
 * uncompressed data, big-endian) when `@platformatic/wasm-utils` can be loaded.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32, deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { longSize, writeLong } from '../../../avro-rpc/avro-binary.ts';
import type { Event } from '../../../core/event.ts';
import { SluiceError } from '../../../errors.ts';
import type { EventSerializer } from './index.ts';

/** Byte for byte the schema text in the header of Flume's files. */
export const FLUME_EVENT_SCHEMA =
  '{"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}';

export const avroCodecs = ['null', 'deflate', 'snappy'] as const;
export type AvroCodec = (typeof avroCodecs)[number];

const eventType = avro.Type.forSchema(JSON.parse(FLUME_EVENT_SCHEMA));
const fileHeaderType = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_SIZE = 16;

type Compress = (raw: Buffer) => Buffer;

let snappy: Compress | undefined;

function snappyCompress(): Compress {
  if (snappy) return snappy;
  let lib: { snappyCompress(data: Buffer): Buffer };
  try {
    lib = createRequire(import.meta.url)('@platformatic/wasm-utils');
  } catch (err) {
    throw new SluiceError('SLUICE_CONFIG_UNSUPPORTED', 'compressionCodec "snappy" needs the package @platformatic/wasm-utils, which could not be loaded; install it or use "deflate".', { cause: err });
  }
  snappy = (raw) => {
    const data = lib.snappyCompress(raw);
    const out = Buffer.allocUnsafe(data.length + 4);
    out.set(data, 0);
    out.writeUInt32BE(crc32(raw), data.length);
    return out;
  };
  return snappy;
}

function compressor(codec: AvroCodec): Compress | undefined {
  if (codec === 'deflate') return (raw) => deflateRawSync(raw);
  if (codec === 'snappy') return snappyCompress();
  return undefined;
}

export class AvroEventSerializer implements EventSerializer {
  readonly supportsReopen = false;
  /** Each file gets its own marker, as Java's DataFileWriter makes one per file. */
  private readonly sync = randomBytes(SYNC_SIZE);
  private readonly compress: Compress | undefined;
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(
    private readonly codec: AvroCodec,
    private readonly syncIntervalBytes: number,
  ) {
    this.compress = compressor(codec);
  }

  header(): Buffer {
    const meta = { 'avro.schema': Buffer.from(FLUME_EVENT_SCHEMA), 'avro.codec': Buffer.from(this.codec) };
    return fileHeaderType.toBuffer({ magic: MAGIC, meta, sync: this.sync });
  }

  encode(events: readonly Event[]): Buffer {
    const blocks: Buffer[] = [];
    let pos = 0;
    let count = 0;
    for (let i = 0; i < events.length; i++) {
      let end = eventType.encode(events[i], this.scratch, pos);
      if (end < 0) {
        // avsc returns minus the bytes missing: grow, keep what is encoded, write the record again.
        const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
        this.scratch.copy(grown, 0, 0, pos);
        this.scratch = grown;
        end = eventType.encode(events[i], grown, pos);
      }
      pos = end;
      count++;
      if (pos >= this.syncIntervalBytes) {
        blocks.push(this.block(this.scratch.subarray(0, pos), count));
        pos = count = 0;
      }
    }
    if (count > 0) blocks.push(this.block(this.scratch.subarray(0, pos), count));
    return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
  }

  /** `long count, long size, data, sync`: one Avro container block. */
  private block(raw: Buffer, count: number): Buffer {
    const data = this.compress ? this.compress(raw) : raw;
    const out = Buffer.allocUnsafe(longSize(count) + longSize(data.length) + data.length + SYNC_SIZE);
    let pos = writeLong(out, writeLong(out, 0, count), data.length);
    out.set(data, pos);
    pos += data.length;
    out.set(this.sync, pos);
    return out;
  }
}
