import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { makeEvent } from '../../src/core/event.ts';
import { dumpEvent, loggerSink } from '../../src/sinks/logger.ts';
import { drain, memory } from '../helpers/components.ts';
import { options, sinkContext } from '../helpers/configure.ts';

/** Expected strings below were printed by Flume 1.11's own EventHelper.dumpEvent (Java 17). */
const bytes20 = Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 13 + 100) & 0xff));

test('the line format is Flume\'s: headers, then the body as a hex dump and its printable text', () => {
  assert.equal(dumpEvent(makeEvent('Hello world!\r'), 16), '{ headers:{} body: 48 65 6C 6C 6F 20 77 6F 72 6C 64 21 0D          Hello world!. }');
});

test('an empty body dumps as nothing', () => {
  assert.equal(dumpEvent(makeEvent(''), 16), '{ headers:{} body: }');
});

test('the dump stops at maxBytesToLog bytes', () => {
  assert.equal(
    dumpEvent(makeEvent(bytes20, { timestamp: '1', host: 'h' }), 16),
    "{ headers:{host=h, timestamp=1} body: 64 71 7E 8B 98 A5 B2 BF CC D9 E6 F3 00 0D 1A 27 dq~............' }",
  );
});

test('bytes past the first 16 go on further rows that show their offset', () => {
  const expected =
    "{ headers:{host=h, timestamp=1} body: 64 71 7E 8B 98 A5 B2 BF CC D9 E6 F3 00 0D 1A 27 dq~............'\n" +
    '00000010 34 41 4E 5B                                     4AN[ }';
  assert.equal(dumpEvent(makeEvent(bytes20, { timestamp: '1', host: 'h' }), 32), expected);
  const letters = Buffer.from(Array.from({ length: 32 }, (_, i) => 65 + i));
  assert.equal(
    dumpEvent(makeEvent(letters), 32),
    '{ headers:{} body: 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 ABCDEFGHIJKLMNOP\n00000010 51 52 53 54 55 56 57 58 59 5A 5B 5C 5D 5E 5F 60 QRSTUVWXYZ[\\]^_` }',
  );
});

test('maxBytesToLog 0 logs the headers alone', () => {
  assert.equal(dumpEvent(makeEvent('abc', { a: '1' }), 0), '{ headers:{a=1} body: }');
});

test('the sink logs one info message per event, in order, through its own logger, and drains the channel', async () => {
  const logged: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const channel = memory('c1', 1000, 100, 0);
  const sink = loggerSink.create(options(loggerSink, { maxBytesToLog: '4' }), sinkContext(channel, logger));
  const put = channel.beginPut();
  put.put([makeEvent('first'), makeEvent('second', { k: 'v' }), makeEvent('')], null);
  await put.commit();
  await sink.start();
  await drain(sink);
  await sink.stop();
  assert.deepEqual(logged.map((l) => [l.level, l.msg]), [
    [30, 'Event: { headers:{} body: 66 69 72 73                                     firs }'],
    [30, 'Event: { headers:{k=v} body: 73 65 63 6F                                     seco }'],
    [30, 'Event: { headers:{} body: }'],
  ]);
  assert.equal(channel.size(), 0);
});

test('maxBytesToLog defaults to 16', () => {
  assert.deepEqual(options(loggerSink, {}), { maxBytesToLog: 16 });
});
