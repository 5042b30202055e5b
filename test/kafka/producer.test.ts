import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProducerRecord } from '../../src/kafka/client.ts';
import { MAX_REQUEST_SIZE, splitRequests } from '../../src/kafka/producer.ts';

const rec = (bytes: number): ProducerRecord => ({ topic: 't', value: Buffer.alloc(bytes) });

test('a batch that fits one request is sent as it is', () => {
  const records = Array.from({ length: 1000 }, () => rec(500));
  const out = splitRequests(records, MAX_REQUEST_SIZE);
  assert.equal(out.length, 1);
  assert.equal(out[0], records);
});

test('a larger batch is cut, in order, into requests under max.request.size', () => {
  const records = Array.from({ length: 5000 }, (_, i) => ({ ...rec(500), key: Buffer.from(String(i)) }));
  const out = splitRequests(records, MAX_REQUEST_SIZE);
  assert.ok(out.length >= 3);
  assert.deepEqual(out.flat(), records);
  for (const part of out) assert.ok(part.reduce((n, r) => n + r.value.length + r.key!.length, 0) < MAX_REQUEST_SIZE);
});

test('a record larger than the limit goes in a request of its own, for the broker to judge', () => {
  const out = splitRequests([rec(10), rec(2_000_000), rec(10)], MAX_REQUEST_SIZE);
  assert.deepEqual(out.map((p) => p.map((r) => r.value.length)), [[10], [2_000_000], [10]]);
});
