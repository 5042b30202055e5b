import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import avro from 'avsc';
import { AvroFileReader, schemaHash } from '../../../src/sources/spooldir/avro-reader.ts';
import type { DeserializerFactory } from '../../../src/sources/spooldir/deserializer.ts';
import { avroContainer, readAll, tempDir } from './helpers.ts';

const dir = tempDir('avro-reader');
const EVENT_SCHEMA = '{"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}';
const eventType = avro.Type.forSchema(JSON.parse(EVENT_SCHEMA));
const records = Array.from({ length: 2500 }, (_, i) => ({ headers: { n: String(i) }, body: Buffer.from(`record ${i} ${'x'.repeat(i % 300)}`) }));

async function container(name: string, codec: 'null' | 'deflate', blockSize: number, items = records): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await avroContainer(eventType, items, { codec, blockSize }));
  return path;
}

const hash: DeserializerFactory = (ctx) => new AvroFileReader(ctx, 'HASH').init();

test('schema fingerprints match Java\'s SchemaNormalization.parsingFingerprint("CRC-64-AVRO") in hex', () => {
  // Golden values computed with Avro 1.11 (Flume 1.11's classpath).
  assert.equal(schemaHash(eventType), '8a878e615f1bfc26');
  const r = avro.Type.forSchema({
    type: 'record',
    name: 'R',
    namespace: 'ns.x',
    doc: 'd',
    fields: [
      { name: 'a', type: 'int', default: 1 },
      { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } },
      { name: 'f', type: ['null', { type: 'fixed', name: 'F', size: 4 }] },
      { name: 'again', type: 'E' },
      { name: 'l', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  });
  assert.equal(schemaHash(r), 'e9ea7ef4b10a802b');
});

test('each record becomes an event whose body is its binary datum, with the schema hash header', async () => {
  for (const codec of ['null', 'deflate'] as const) {
    const r = await readAll(await container(`events-${codec}.avro`, codec, 4096), hash, 333);
    assert.equal(r.events.length, records.length, codec);
    for (const [i, e] of r.events.entries()) {
      assert.deepEqual(e.body, eventType.toBuffer(records[i]));
      assert.deepEqual(e.headers, { 'flume.avro.schema.hash': '8a878e615f1bfc26' });
    }
  }
});

test('schemaType LITERAL puts the schema text of the file in flume.avro.schema.literal', async () => {
  const r = await readAll(await container('literal.avro', 'null', 1 << 20, records.slice(0, 3)), (ctx) => new AvroFileReader(ctx, 'LITERAL').init());
  assert.equal(r.events.length, 3);
  assert.deepEqual(JSON.parse(r.events[0]!.headers['flume.avro.schema.literal']!), JSON.parse(EVENT_SCHEMA));
});

test('resuming at any batch position, mid-block included, gives exactly the records after it', async () => {
  const path = await container('resume.avro', 'deflate', 2048);
  const bodies = (await readAll(path, hash, 1000)).bodies;
  const first = await readAll(path, hash, 97);
  assert.ok(first.positions.some((p) => p.records > 0), 'some batches end inside a block');
  for (const [i, at] of first.positions.entries()) {
    const rest = await readAll(path, hash, 500, at);
    assert.deepEqual(rest.bodies, bodies.slice((i + 1) * 97), `resume at ${JSON.stringify(at)}`);
  }
});

test('a file that is not an Avro container, or is cut inside a block, fails with the file and offset named', async () => {
  const text = join(dir, 'plain.txt');
  writeFileSync(text, 'hello\n');
  await assert.rejects(readAll(text, hash), (err: Error & { code?: string }) => err.code === 'SLUICE_SOURCE_DECODE' && /not an Avro container file/.test(err.message));
  const whole = readFileSync(await container('cut.avro', 'null', 1 << 20));
  const cut = join(dir, 'cut-short.avro');
  writeFileSync(cut, whole.subarray(0, whole.length - 100));
  await assert.rejects(readAll(cut, hash), /ends inside an Avro block/);
  const empty = join(dir, 'empty.avro');
  writeFileSync(empty, '');
  await assert.rejects(readAll(empty, hash), /not an Avro container file/);
});
