import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { codecAvailable, installXerialSnappy, isXerialFramed, xerialUnframe, ZSTD_NEEDS } from '../../src/kafka/compression.ts';
import { isSluiceError } from '../../src/errors.ts';

const snappyCompress = (b: Buffer): Buffer => compressionsAlgorithms.snappy.compressSync(b);

/** What Java's SnappyOutputStream writes: magic, version 1, compatible version 1, then length-prefixed raw blocks. */
function xerialFrame(...chunks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const blocks = chunks.map((c) => {
    const raw = snappyCompress(c);
    const len = Buffer.alloc(4);
    len.writeInt32BE(raw.length);
    return Buffer.concat([len, raw]);
  });
  return Buffer.concat([header, ...blocks]);
}

test('xerialUnframe inflates every block of a Java-framed snappy stream, in order', () => {
  const framed = xerialFrame(Buffer.from('first block '), Buffer.from('second block'));
  assert.ok(isXerialFramed(framed));
  const out = xerialUnframe(framed, (b) => compressionsAlgorithms.snappy.decompressSync(b));
  assert.equal(out.toString(), 'first block second block');
});

test('xerialUnframe refuses a block that runs past the end of the batch', () => {
  const framed = xerialFrame(Buffer.from('some data'));
  assert.throws(
    () => xerialUnframe(framed.subarray(0, framed.length - 2), (b) => b),
    (err) => isSluiceError(err, 'SLUICE_KAFKA') && /overruns/.test(err.message),
  );
});

test('after installXerialSnappy the client library reads both Xerial-framed and raw snappy', () => {
  installXerialSnappy();
  installXerialSnappy(); // a second call must not wrap twice
  const data = Buffer.from('x'.repeat(1000) + 'tail');
  assert.equal(compressionsAlgorithms.snappy.decompressSync(xerialFrame(data)).toString(), data.toString());
  assert.equal(compressionsAlgorithms.snappy.decompressSync(snappyCompress(data)).toString(), data.toString());
  assert.ok(!isXerialFramed(snappyCompress(data)));
});

test('zstd is available exactly when this Node has zlib zstd; the refusal names the Node version', () => {
  const hasZstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
  assert.equal(codecAvailable('zstd'), hasZstd);
  for (const c of ['none', 'gzip', 'snappy', 'lz4'] as const) assert.ok(codecAvailable(c));
  assert.ok(ZSTD_NEEDS.includes('22.15') && ZSTD_NEEDS.includes(process.versions.node));
});
