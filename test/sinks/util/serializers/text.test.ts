import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeEvent } from '../../../../src/core/event.ts';
import { javaMapString } from '../../../../src/sinks/util/serializers/java-map.ts';
import { BodyTextSerializer, HeaderAndTextSerializer } from '../../../../src/sinks/util/serializers/text.ts';

const events = [makeEvent('first'), makeEvent(''), makeEvent(Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff]))];

test('text writes each body followed by a newline, the whole batch in one buffer', () => {
  const s = new BodyTextSerializer(true);
  assert.equal(s.header(), undefined);
  assert.equal(s.supportsReopen, true);
  assert.deepEqual(s.encode(events), Buffer.concat([Buffer.from('first\n\n'), Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff, 0x0a])]));
});

test('text with appendNewline false writes the bodies back to back', () => {
  assert.deepEqual(new BodyTextSerializer(false).encode([makeEvent('a'), makeEvent('bc')]), Buffer.from('abc'));
});

test('text of an empty batch is an empty buffer', () => {
  assert.equal(new BodyTextSerializer(true).encode([]).length, 0);
});

test('header_and_text prints the headers as Java prints a HashMap, a space, the body and a newline', () => {
  const s = new HeaderAndTextSerializer(true);
  const e = makeEvent('hello', { timestamp: '1700000000000', host: 'web1', topic: 'logs' });
  // The order Flume 1.11 printed for these three keys (flume-wire.md §3.2).
  assert.equal(s.encode([e]).toString(), '{host=web1, topic=logs, timestamp=1700000000000} hello\n');
});

test('header_and_text prints {} for an event without headers and keeps multi-byte text intact', () => {
  const s = new HeaderAndTextSerializer(true);
  const out = s.encode([makeEvent('x'), makeEvent('€ y', { 'clé': 'värde' })]).toString();
  assert.equal(out, '{} x\n{clé=värde} € y\n');
});

test('header_and_text with appendNewline false leaves the newline out', () => {
  assert.equal(new HeaderAndTextSerializer(false).encode([makeEvent('b', { a: '1' })]).toString(), '{a=1} b');
});

test('Java map order puts keys by hash bucket and keeps insertion order within a bucket', () => {
  // "Aa" and "BB" have the same Java hash code, so they share a bucket.
  assert.equal(javaMapString({ BB: '2', Aa: '1' }), '{BB=2, Aa=1}');
  assert.equal(javaMapString({ Aa: '1', BB: '2' }), '{Aa=1, BB=2}');
  assert.equal(javaMapString({ c: '3', b: '2', a: '1' }), '{a=1, b=2, c=3}');
  assert.equal(javaMapString({}), '{}');
});

test('Java map order uses a larger table once the map passes 75% of 16 entries', () => {
  const headers: Record<string, string> = {};
  for (let i = 0; i < 13; i++) headers[`k${i}`] = String(i);
  // Printed by Java 17 for a HashMap filled with put("k0".."k12") in that order.
  assert.equal(javaMapString(headers), '{k0=0, k1=1, k2=2, k3=3, k4=4, k5=5, k11=11, k6=6, k10=10, k7=7, k8=8, k12=12, k9=9}');
});
