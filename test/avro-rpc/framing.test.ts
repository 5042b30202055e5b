import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PACK_LIMITS, PackDecoder, type PackLimits } from '../../src/avro-rpc/framing.ts';
import { pack } from './raw-peer.ts';

function decodeAll(stream: Buffer, chunkSize: number, limits: PackLimits = DEFAULT_PACK_LIMITS) {
  const out: [number, string][] = [];
  const d = new PackDecoder(limits, (serial, message) => out.push([serial, message.toString()]));
  for (let i = 0; i < stream.length; i += chunkSize) d.push(stream.subarray(i, i + chunkSize));
  return out;
}

const STREAM = Buffer.concat([
  pack(1, Buffer.from('hello'), Buffer.alloc(0), Buffer.from(' world')),
  pack(2),
  pack(3, Buffer.alloc(0), Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(0)),
  pack(-5, Buffer.from('serial is an int32')),
]);

test('packs decode the same whatever the chunking, zero-length buffers included', () => {
  const expected = [
    [1, 'hello world'],
    [2, ''],
    [3, 'x'],
    [-5, 'serial is an int32'],
  ];
  for (const size of [1, 2, 3, 5, 7, 13, STREAM.length]) assert.deepEqual(decodeAll(STREAM, size), expected, `chunks of ${size}`);
});

test('a one-buffer pack is passed through without a copy', () => {
  const stream = pack(1, Buffer.from('abc'));
  let message: Buffer | undefined;
  new PackDecoder(DEFAULT_PACK_LIMITS, (_s, m) => {
    message = m;
  }).push(stream);
  assert.equal(message!.buffer, stream.buffer);
});

const frameError = (err: Error & { code?: string }) => err.code === 'SLUICE_RPC_FRAME';

test('a pack larger than maxPackBytes is refused before it is buffered', () => {
  const limits = { maxPackBytes: 10, maxBuffersPerPack: 100 };
  assert.deepEqual(decodeAll(pack(1, Buffer.alloc(6), Buffer.alloc(4)), 3, limits).length, 1);
  const d = new PackDecoder(limits, () => assert.fail('no pack expected'));
  // Only the header and the first two lengths arrive: the second length already breaks the limit.
  assert.throws(() => d.push(pack(1, Buffer.alloc(6), Buffer.alloc(5)).subarray(0, 8 + 4 + 6 + 4)), frameError);
});

test('too many buffers, negative counts and negative lengths are refused', () => {
  const limits = { maxPackBytes: 1000, maxBuffersPerPack: 3 };
  const header = (serial: number, count: number) => {
    const b = Buffer.alloc(8);
    b.writeInt32BE(serial, 0);
    b.writeInt32BE(count, 4);
    return b;
  };
  assert.throws(() => new PackDecoder(limits, () => {}).push(header(1, 4)), frameError);
  assert.throws(() => new PackDecoder(limits, () => {}).push(header(1, -1)), frameError);
  assert.throws(() => new PackDecoder(limits, () => {}).push(Buffer.concat([header(1, 1), Buffer.from('ffffffff', 'hex')])), frameError);
  assert.throws(() => new PackDecoder(DEFAULT_PACK_LIMITS, () => {}).push(header(1, 0x7fffffff)), frameError);
});
