import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { crc32, inflateRaw, inflateRawSync, inflateSync } from 'node:zlib';
import avro from 'avsc';
import { AvroReader } from '../../../../src/avro-rpc/avro-binary.ts';
import { type Event, makeEvent } from '../../../../src/core/event.ts';
import { AvroEventSerializer, FLUME_EVENT_SCHEMA } from '../../../../src/sinks/util/serializers/avro-event.ts';

const eventType = avro.Type.forSchema(JSON.parse(FLUME_EVENT_SCHEMA));
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const { snappyDecompress } = createRequire(import.meta.url)('@platformatic/wasm-utils') as { snappyDecompress(b: Buffer): Buffer };

/** Decodes a container file with avsc's own BlockDecoder: what an independent reader makes of it. */
async function decode(file: Buffer): Promise<{ codec: string; schema: string; records: Event[] }> {
  const codecs = {
    null: (b: Buffer, cb: (err: Error | null, out?: Buffer) => void) => cb(null, b),
    deflate: (b: Buffer, cb: (err: Error | null, out?: Buffer) => void) => inflateRaw(b, cb),
    snappy: (b: Buffer, cb: (err: Error | null, out?: Buffer) => void) => {
      const out = snappyDecompress(b.subarray(0, -4));
      cb(crc32(out) === b.readUInt32BE(b.length - 4) ? null : new Error('snappy block CRC mismatch'), out);
    },
  };
  const decoder = new avro.streams.BlockDecoder({ codecs });
  let codec = '';
  let schema = '';
  decoder.on('metadata', (_type: unknown, c: string, header: { meta: Record<string, Buffer> }) => {
    codec = c;
    schema = header.meta['avro.schema']!.toString();
  });
  const records: Event[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([file]).pipe(decoder).on('data', (r: Event) => records.push({ headers: { ...r.headers }, body: Buffer.from(r.body) })).on('end', resolve).on('error', reject);
  });
  return { codec, schema, records };
}

/** Record counts of the blocks after the header, read by hand. */
function blockCounts(file: Buffer, headerLength: number): number[] {
  const r = new AvroReader(file, headerLength);
  const counts: number[] = [];
  while (r.remaining > 0) {
    counts.push(r.long());
    const size = r.long();
    r.pos += size + 16;
  }
  return counts;
}

const batch = (n: number, from = 0): Event[] =>
  Array.from({ length: n }, (_, i) => makeEvent(`event ${from + i} ${'x'.repeat(40)}`, { n: String(from + i), host: 'web1' }));

test('the header and first block are byte for byte what Flume wrote, but for the random sync marker', () => {
  const s = new AvroEventSerializer('null', 2048000);
  const header = s.header();
  const block = s.encode([makeEvent('hello', { timestamp: '1700000000000' })]);
  assert.equal(header.length, 185);
  const sync = header.subarray(-16);
  const schema = Buffer.from(FLUME_EVENT_SCHEMA);
  const expected = Buffer.concat([
    hex('4f626a01 04 16'), Buffer.from('avro.schema'), hex('8a02'), schema,
    hex('14'), Buffer.from('avro.codec'), hex('08 6e756c6c 00'), sync,
  ]);
  assert.equal(schema.length, 133);
  assert.deepEqual(header, expected);
  assert.deepEqual(block, Buffer.concat([hex('02 40 02 12 74696d657374616d70 1a 31373030303030303030303030 00 0a 68656c6c6f'), sync]));
});

test('every file gets its own sync marker', () => {
  const a = new AvroEventSerializer('null', 2048000).header().subarray(-16);
  const b = new AvroEventSerializer('null', 2048000).header().subarray(-16);
  assert.notDeepEqual(a, b);
});

for (const codec of ['null', 'deflate', 'snappy'] as const) {
  test(`a ${codec} file of several batches reads back with avsc's container decoder`, async () => {
    const s = new AvroEventSerializer(codec, 2048000);
    const header = s.header();
    const events = [...batch(3), makeEvent(Buffer.alloc(0)), makeEvent(Buffer.from([0, 255, 10]), { 'clé': 'värde' }), ...batch(50, 3)];
    const file = Buffer.concat([header, s.encode(events.slice(0, 3)), s.encode(events.slice(3, 5)), s.encode(events.slice(5))]);
    const got = await decode(file);
    assert.equal(got.codec, codec);
    assert.equal(got.schema, FLUME_EVENT_SCHEMA);
    assert.deepEqual(got.records, events);
    assert.deepEqual(blockCounts(file, header.length), [3, 2, 50]);
  });
}

test('deflate blocks are raw DEFLATE, as Java Avro writes them', () => {
  const s = new AvroEventSerializer('deflate', 2048000);
  const block = s.encode(batch(10));
  const r = new AvroReader(block);
  assert.equal(r.long(), 10);
  const data = r.bytes();
  assert.equal(inflateRawSync(data).length, eventType.toBuffer(batch(1)[0]).length * 10);
  assert.throws(() => inflateSync(data), 'not a zlib stream: no 0x78 header, no Adler-32 trailer');
});

test('a block ends once its records reach syncIntervalBytes, and the batch ends the last one', async () => {
  const s = new AvroEventSerializer('null', 200);
  const header = s.header();
  const events = batch(10);
  const size = eventType.toBuffer(events[0]).length;
  const file = Buffer.concat([header, s.encode(events)]);
  const perBlock = Math.ceil(200 / size);
  const counts = blockCounts(file, header.length);
  assert.ok(counts.length > 1, `expected several blocks, got ${counts.join(',')}`);
  assert.deepEqual(counts.slice(0, -1), counts.slice(0, -1).map(() => perBlock));
  assert.equal(counts.reduce((a, b) => a + b, 0), 10);
  assert.deepEqual((await decode(file)).records, events);
});

test('a record larger than the working buffer is encoded whole', async () => {
  const s = new AvroEventSerializer('null', 2048000);
  const big = makeEvent(Buffer.alloc(300_000, 0x61), { k: 'v' });
  const file = Buffer.concat([s.header(), s.encode([makeEvent('small'), big, makeEvent('after')])]);
  assert.deepEqual((await decode(file)).records, [makeEvent('small'), big, makeEvent('after')]);
});
