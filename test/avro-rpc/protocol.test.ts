import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import avro from 'avsc';
import { PROTOCOL, PROTOCOL_HASH, PROTOCOL_JSON } from '../../src/avro-rpc/protocol.ts';

test('the protocol text is the 1334 bytes Java hashes to 86aadae2c45474c0fe93ffd0f2350a65', () => {
  assert.equal(Buffer.byteLength(PROTOCOL_JSON), 1334);
  assert.equal(createHash('md5').update(PROTOCOL_JSON).digest('hex'), '86aadae2c45474c0fe93ffd0f2350a65');
  assert.equal(PROTOCOL_HASH.toString('hex'), '86aadae2c45474c0fe93ffd0f2350a65');
  assert.ok(PROTOCOL_JSON.startsWith('{"protocol":"AvroSourceProtocol","namespace":"org.apache.flume.source.avro","doc":"* Licensed'));
  assert.ok(PROTOCOL_JSON.endsWith('"response":"Status"}}}'));
});

test('avsc derives the same hash from the protocol object', () => {
  assert.deepEqual(avro.Service.forProtocol(PROTOCOL).hash, PROTOCOL_HASH);
});
