import assert from 'node:assert/strict';
import { test } from 'node:test';
import avro from 'avsc';
import { AvroReader } from '../../src/avro-rpc/avro-binary.ts';
import {
  decodeParams,
  decodeResponse,
  encodeCall,
  encodeErrorResponse,
  encodeResponse,
} from '../../src/avro-rpc/codec.ts';
import { encodeHandshakeRequest } from '../../src/avro-rpc/handshake.ts';
import { PROTOCOL_HASH } from '../../src/avro-rpc/protocol.ts';
import type { Event } from '../../src/core/event.ts';
import { hex } from './raw-peer.ts';

const EVENT: Event = { headers: { host: 'a' }, body: Buffer.from('hi') };
const EVENT_BYTES = '02 08 686f7374 02 61 00 04 6869';
const HANDSHAKE = '86aadae2c45474c0fe93ffd0f2350a65 00 86aadae2c45474c0fe93ffd0f2350a65 02 00';

const eventType = avro.Type.forSchema({
  type: 'record',
  name: 'AvroFlumeEvent',
  fields: [
    { name: 'headers', type: { type: 'map', values: 'string' } },
    { name: 'body', type: 'bytes' },
  ],
});
const batchType = avro.Type.forSchema({ type: 'array', items: eventType });

test('call 1: append with handshake is the Java pack [43, 12]', () => {
  const pack = encodeCall(1, 'append', [EVENT], { handshake: encodeHandshakeRequest(PROTOCOL_HASH, false) });
  assert.equal(
    pack.toString('hex'),
    hex(`00000001 00000002 0000002b ${HANDSHAKE} 00 0c 617070656e64 0000000c ${EVENT_BYTES}`).toString('hex'),
  );
});

test('call 2: append without handshake is the Java pack [8, 12]', () => {
  const pack = encodeCall(2, 'append', [EVENT]);
  assert.deepEqual(pack, hex(`00000002 00000002 00000008 00 0c 617070656e64 0000000c ${EVENT_BYTES}`));
});

test('call 3: appendBatch of two events is the Java pack [13, 26]', () => {
  const pack = encodeCall(3, 'appendBatch', [EVENT, EVENT]);
  assert.deepEqual(
    pack,
    hex(`00000003 00000002 0000000d 00 16 617070656e644261746368 0000001a 04 ${EVENT_BYTES} ${EVENT_BYTES} 00`),
  );
});

test('responses are the Java packs [4,1,2] with a handshake and [0,1,2] after it', () => {
  assert.deepEqual(encodeResponse(1, hex('00000000'), 'OK'), hex('00000001 00000003 00000004 00000000 00000001 00 00000002 0000'));
  assert.deepEqual(encodeResponse(2, Buffer.alloc(0), 'OK'), hex('00000002 00000003 00000000 00000001 00 00000002 0000'));
  assert.deepEqual(encodeResponse(7, Buffer.alloc(0), 'FAILED').subarray(-2), hex('0002'));
  assert.deepEqual(encodeResponse(7, Buffer.alloc(0), 'UNKNOWN').subarray(-2), hex('0004'));
});

test('an error response is flag 01, union branch 00, then the text', () => {
  const pack = encodeErrorResponse(5, Buffer.alloc(0), 'boom');
  assert.deepEqual(pack, hex('00000005 00000003 00000000 00000001 00 00000007 01 00 08 626f6f6d'));
  assert.throws(
    () => decodeResponse(new AvroReader(hex('00 01 00 08 626f6f6d'))),
    (err: Error & { code?: string }) => err.code === 'SLUICE_RPC_FAILED' && /boom/.test(err.message),
  );
  assert.equal(decodeResponse(new AvroReader(hex('00 00 02'))), 'FAILED');
});

function randomEvents(n: number, seed: number): Event[] {
  let x = seed;
  const rnd = (m: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % m;
  };
  const words = ['', 'a', 'host', 'tïmestamp', '日本語', '🚀 rocket', 'x'.repeat(200)];
  return Array.from({ length: n }, () => {
    const headers: Record<string, string> = {};
    for (let i = rnd(4); i > 0; i--) headers[words[rnd(words.length)]! + i] = words[rnd(words.length)]!;
    const body = Buffer.alloc(rnd(3) === 0 ? rnd(20000) : rnd(600));
    for (let i = 0; i < body.length; i++) body[i] = rnd(256);
    return { headers, body };
  });
}

const plain = (events: Event[]) => events.map((e) => ({ headers: { ...e.headers }, body: Buffer.from(e.body) }));

test('event batches agree with avsc both ways (unicode headers, empty and large bodies)', () => {
  for (const n of [0, 1, 7, 300]) {
    const events = randomEvents(n, n + 1);
    const pack = encodeCall(9, 'appendBatch', events);
    const paramsAt = 8 + 4 + 13 + 4;
    const params = pack.subarray(paramsAt);
    assert.deepEqual(plain(batchType.fromBuffer(params)), events);
    const oracle = batchType.toBuffer(events);
    assert.deepEqual(params, oracle);
    const decoded = decodeParams(new AvroReader(oracle), 'appendBatch');
    assert.deepEqual(plain(decoded), events);
  }
});

test('decoding accepts negative block counts (count then byte size) in arrays and maps', () => {
  // array block of -2 items (size 24), then a map block of -1 entries (size 7): {host: a}
  const bytes = hex(`03 30 ${EVENT_BYTES} 01 0e 08 686f7374 02 61 00 04 6869 00`);
  const events = decodeParams(new AvroReader(bytes), 'appendBatch');
  assert.deepEqual(plain(events), [EVENT, EVENT]);
});

test('a "__proto__" header is kept as data and does not change the prototype', () => {
  const bytes = hex(`02 02 12 5f5f70726f746f5f5f 02 61 00 00 00`);
  const [event] = decodeParams(new AvroReader(bytes), 'appendBatch');
  assert.equal(Object.getPrototypeOf(event!.headers), Object.prototype);
  assert.deepEqual(Object.entries(event!.headers), [['__proto__', 'a']]);
});

test('truncated or hostile data is refused with SLUICE_RPC_PROTOCOL', () => {
  const bad = [
    '04 02', // two events announced, data ends
    'feffffff0f', // block count far beyond the data
    '02 00 10 6869', // body length 8, 2 bytes present
    '02 00 ffffffffffffffffff01', // 10-byte varint
  ];
  for (const b of bad) {
    assert.throws(
      () => decodeParams(new AvroReader(hex(b)), 'appendBatch'),
      (err: Error & { code?: string }) => err.code === 'SLUICE_RPC_PROTOCOL',
      b,
    );
  }
});

test('decoded bodies are subarrays of the message buffer (no copy)', () => {
  const params = batchType.toBuffer([EVENT]);
  const [event] = decodeParams(new AvroReader(params), 'appendBatch');
  assert.equal(event!.body.buffer, params.buffer);
});
