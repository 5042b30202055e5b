import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BlobReader } from '../../../src/sources/spooldir/blob-reader.ts';
import type { DeserializerFactory } from '../../../src/sources/spooldir/deserializer.ts';
import { readAll, tempDir } from './helpers.ts';

const dir = tempDir('blob-reader');
const blob = (max: number, size: number): DeserializerFactory => async (ctx) => new BlobReader(ctx, max, size);

test('a file up to maxBlobLength is one event holding its raw bytes', async () => {
  const bytes = randomBytes(300_000);
  const path = join(dir, 'whole.bin');
  writeFileSync(path, bytes);
  const r = await readAll(path, blob(300_000, bytes.length));
  assert.equal(r.bodies.length, 1);
  assert.deepEqual(r.bodies[0], bytes);
  assert.deepEqual(r.splits, [0], 'a blob that reaches the limit is reported, as Flume warns');
});

test('a longer file continues in further events of at most maxBlobLength, and resumes at any of them', async () => {
  const bytes = randomBytes(10_050);
  const path = join(dir, 'long.bin');
  writeFileSync(path, bytes);
  const r = await readAll(path, blob(1000, bytes.length), 3);
  assert.deepEqual(r.bodies.map((b) => b.length), [...Array(10).fill(1000), 50]);
  assert.deepEqual(Buffer.concat(r.bodies), bytes);
  const rest = await readAll(path, blob(1000, bytes.length), 3, r.positions[1]!);
  assert.deepEqual(Buffer.concat(rest.bodies), bytes.subarray(6000));
});

test('an empty file gives no blob (the source adds Flume\'s one empty event)', async () => {
  const path = join(dir, 'empty.bin');
  writeFileSync(path, '');
  assert.equal((await readAll(path, blob(1000, 0))).bodies.length, 0);
});
