import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2 as libraryMurmur2 } from '@platformatic/kafka';
import { keyPartition, murmur2 } from '../../src/kafka/murmur2.ts';

// Expected values from the Java client's own test (org.apache.kafka.common.utils.UtilsTest#testMurmur2).
const javaVectors: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test('murmur2 returns the hashes the Java Kafka client returns', () => {
  for (const [key, hash] of javaVectors) assert.equal(murmur2(Buffer.from(key)), hash, key);
});

test('murmur2 agrees with the client library port for every tail length and for non-ASCII bytes', () => {
  for (let len = 0; len < 40; len++) {
    const key = Buffer.from(Array.from({ length: len }, (_, i) => (i * 97 + len * 31) & 0xff));
    assert.equal(murmur2(key), libraryMurmur2(key), `length ${len}`);
  }
});

test('keyPartition clears the sign bit before the modulo, as Java does', () => {
  // "21" hashes negative: a plain unsigned modulo would pick another partition.
  assert.equal(keyPartition(Buffer.from('21'), 7), (-973932308 & 0x7fffffff) % 7);
  assert.notEqual(keyPartition(Buffer.from('21'), 7), (-973932308 >>> 0) % 7);
  for (let i = 0; i < 200; i++) {
    const p = keyPartition(Buffer.from(`key-${i}`), 3);
    assert.ok(p >= 0 && p < 3);
  }
});
