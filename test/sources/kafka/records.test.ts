import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumedRecord } from '../../../src/kafka/client.ts';
import { OffsetTracker } from '../../../src/sources/kafka/offsets.ts';
import { appendRecords, decodeFlumeEvent, newBatch, type RecordFormat } from '../../../src/sources/kafka/records.ts';

const raw: RecordFormat = { flumeEvents: false, topicHeader: 'topic', headerMap: [] };

function rec(offset: number, value: string | Buffer | undefined, o: Partial<ConsumedRecord> = {}): ConsumedRecord {
  return {
    topic: 't',
    partition: 0,
    offset: BigInt(offset),
    timestamp: 1700000000000n + BigInt(offset),
    key: undefined,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers: new Map(),
    ...o,
  };
}

const noBad = () => assert.fail('no bad record expected');

test('raw records get timestamp, topic, partition and offset headers, and key when the record has one', () => {
  const batch = newBatch();
  appendRecords(batch, [rec(5, 'hello', { key: Buffer.from('k1'), partition: 2 }), rec(6, 'bye', { partition: 2 })], raw, new OffsetTracker(() => {}), noBad);
  assert.deepEqual(batch.events[0], {
    headers: { timestamp: '1700000000005', topic: 't', partition: '2', offset: '5', key: 'k1' },
    body: Buffer.from('hello'),
  });
  assert.deepEqual(batch.events[1]!.headers, { timestamp: '1700000000006', topic: 't', partition: '2', offset: '6' });
});

test('setTopicHeader false and a custom topicHeader are honoured', () => {
  for (const [topicHeader, expected] of [[undefined, undefined], ['kafkaTopic', 't']] as const) {
    const batch = newBatch();
    appendRecords(batch, [rec(0, 'x')], { ...raw, topicHeader }, new OffsetTracker(() => {}), noBad);
    assert.equal(batch.events[0]!.headers['topic'], undefined);
    if (topicHeader) assert.equal(batch.events[0]!.headers[topicHeader], expected);
  }
});

test('a Flume-format value keeps its own headers; only key is overwritten by the record key', () => {
  // {topic: orig, timestamp: 1, key: inner, partition: 9} + body "b", as a Flume sink writes it
  const datum = Buffer.from('080a746f706963086f7269671274696d657374616d700231066b65790a696e6e657212706172746974696f6e0239000262', 'hex');
  const decoded = decodeFlumeEvent(datum);
  assert.deepEqual(decoded.headers, { topic: 'orig', timestamp: '1', key: 'inner', partition: '9' });
  const batch = newBatch();
  appendRecords(batch, [rec(3, datum, { key: Buffer.from('outer') })], { ...raw, flumeEvents: true }, new OffsetTracker(() => {}), noBad);
  assert.deepEqual(batch.events[0], {
    headers: { topic: 'orig', timestamp: '1', key: 'outer', partition: '9', offset: '3' },
    body: Buffer.from('b'),
  });
});

test('the Flume-format decoder reads multi-block maps with a negative count, as Java does', () => {
  const datum = Buffer.from('01080261023102026202320004686900', 'hex');
  assert.deepEqual(decodeFlumeEvent(datum), { headers: { a: '1', b: '2' }, body: Buffer.from('hi') });
});

test('a value that is not a Flume event is dropped and reported, and its offset still counts as read', () => {
  const bad: bigint[] = [];
  const batch = newBatch();
  const tracker = new OffsetTracker(() => {});
  appendRecords(batch, [rec(0, Buffer.from('00046869', 'hex')), rec(1, Buffer.from('ff', 'hex')), rec(2, undefined)], { ...raw, flumeEvents: true }, tracker, (r) => bad.push(r.offset));
  assert.equal(batch.events.length, 1);
  assert.deepEqual(bad, [1n, 2n]);
  assert.equal(batch.bad, 2);
  const [[state, part]] = [...batch.parts];
  assert.equal(part!.next, 3n);
  assert.equal(part!.events, 1);
  assert.equal(state!.readTo, 3n);
});

test('header.* copies mapped Kafka record headers into event headers', () => {
  const batch = newBatch();
  const headers = new Map([[Buffer.from('trace-id'), Buffer.from('abc')], [Buffer.from('other'), Buffer.from('x')]]);
  appendRecords(batch, [rec(0, 'v', { headers })], { ...raw, headerMap: [['traceId', Buffer.from('trace-id')]] }, new OffsetTracker(() => {}), noBad);
  assert.equal(batch.events[0]!.headers['traceId'], 'abc');
  assert.equal(batch.events[0]!.headers['other'], undefined);
});

test('records already read from a partition are skipped when the client delivers them again', () => {
  const tracker = new OffsetTracker(() => {});
  const first = newBatch();
  appendRecords(first, [rec(0, 'a'), rec(1, 'b'), rec(0, 'a', { partition: 1 })], raw, tracker, noBad);
  const again = newBatch();
  appendRecords(again, [rec(1, 'b'), rec(2, 'c'), rec(0, 'a', { partition: 1 }), rec(1, 'b', { partition: 1 })], raw, tracker, noBad);
  assert.deepEqual(again.events.map((e) => `${e.headers['partition']}/${e.headers['offset']}`), ['0/2', '1/1']);
});
