import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event } from '../../../src/core/event.ts';
import { isSluiceError } from '../../../src/errors.ts';
import { toRecords } from '../../../src/sinks/kafka/records.ts';
import { decodeFlumeEvent } from '../../../src/sources/kafka/records.ts';
import { recordPlan as plan } from './plan.ts';

const ev = (body: string, headers: Record<string, string> = {}): Event => ({ headers, body: Buffer.from(body) });
const noWarn = () => assert.fail('no timestamp warning expected');

test('the body is the value, the key header the key, and other headers are dropped as Flume drops them', () => {
  const [r] = toRecords([ev('hi', { key: 'k-1', host: 'a' })], plan(), noWarn);
  assert.equal(r!.topic, 'default-flume-topic');
  assert.equal(r!.value.toString(), 'hi');
  assert.equal(r!.key?.toString(), 'k-1');
  assert.equal(r!.partition, undefined);
  assert.equal(r!.headers, undefined);
  assert.equal(r!.timestamp, undefined);
});

test('useFlumeEventFormat writes the exact bytes Flume 1.11 writes', () => {
  const [a, b] = toRecords([ev('1', { origin: 'flume' }), ev('hi')], plan({ flumeEvents: true }), noWarn);
  assert.equal(a!.value.toString('hex'), '020c6f726967696e0a666c756d65000231');
  assert.equal(b!.value.toString('hex'), '00046869');
  assert.deepEqual(decodeFlumeEvent(a!.value), { headers: { origin: 'flume' }, body: Buffer.from('1') });
});

test('the topic header overrides kafka.topic, and %{header} escapes fill in when it is absent', () => {
  const p = plan({ topic: 'logs-%{dc}-%{missing}x' });
  const [a, b] = toRecords([ev('a', { topic: 'chosen', dc: 'eu' }), ev('b', { dc: 'eu' })], p, noWarn);
  assert.equal(a!.topic, 'chosen');
  assert.equal(b!.topic, 'logs-eu-x');
});

test('with allowTopicOverride false the topic header is ignored and kafka.topic is used as written', () => {
  const [r] = toRecords([ev('a', { topic: 'chosen', dc: 'eu' })], plan({ topic: 'fixed-%{dc}', topicHeader: undefined }), noWarn);
  assert.equal(r!.topic, 'fixed-%{dc}');
});

test('partitionIdHeader wins over defaultPartitionId, which applies when the header is absent', () => {
  const p = plan({ defaultPartition: 2, partitionHeader: 'p' });
  const [a, b] = toRecords([ev('a', { p: '0' }), ev('b')], p, noWarn);
  assert.equal(a!.partition, 0);
  assert.equal(b!.partition, 2);
});

test('a partition header that is not a partition number fails the whole batch with the header and value', () => {
  for (const bad of ['one', '-1', '1.5']) {
    assert.throws(
      () => toRecords([ev('a'), ev('b', { p: bad })], plan({ partitionHeader: 'p' }), noWarn),
      (err) => isSluiceError(err, 'SLUICE_DELIVERY_FAILED') && err.message.includes(`Header p = "${bad}"`),
    );
  }
});

test('timestampHeader sets the record timestamp; an unparsable value is reported and left to the producer', () => {
  const bad: string[] = [];
  const [a, b] = toRecords([ev('a', { ts: '1700000000123' }), ev('b', { ts: 'yesterday' })], plan({ timestampHeader: 'ts' }), (v) => bad.push(v));
  assert.equal(a!.timestamp, 1700000000123n);
  assert.equal(b!.timestamp, undefined);
  assert.deepEqual(bad, ['yesterday']);
});

test('header.* copies mapped event headers into Kafka record headers as UTF-8', () => {
  const [a, b] = toRecords([ev('a', { host: 'hôte', other: 'x' }), ev('b')], plan({ headerMap: [['host', Buffer.from('source-host')]] }), noWarn);
  assert.deepEqual([...a!.headers!].map(([k, v]) => [k.toString(), v.toString()]), [['source-host', 'hôte']]);
  assert.equal(b!.headers, undefined);
});
