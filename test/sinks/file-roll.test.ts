import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, mock, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import avro from 'avsc';
import type { Sink } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import type { SinkCounter } from '../../src/core/metrics.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fileRollSink } from '../../src/sinks/file-roll.ts';
import { bodies, events, memory } from '../helpers/components.ts';
import { options, problems, sinkContext } from '../helpers/configure.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-file-roll-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

async function sink(props: Record<string, string> = {}) {
  const directory = join(root, `d${++dirs}`, 'out');
  const channel = memory('c1', 10_000, 1000, 0);
  const ctx = sinkContext(channel);
  const s: Sink = fileRollSink.create(options(fileRollSink, { 'sink.directory': directory, ...props }), ctx);
  await s.start();
  const put = async (list: Event[]) => {
    const tx = channel.beginPut();
    tx.put(list, null);
    await tx.commit();
  };
  const files = () => readdirSync(directory).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const read = (name: string) => readFileSync(join(directory, name));
  return { s, channel, directory, counter: ctx.counter as SinkCounter, put, files, read };
}

test('writes a batch with one process() to <startMillis>-1 in a directory it creates', async () => {
  const before = Date.now();
  const { s, put, files, read, counter } = await sink();
  await put(events(5));
  assert.equal(await s.process(), 'READY');
  const [name, ...rest] = files();
  assert.deepEqual(rest, []);
  const m = /^(\d+)-1$/.exec(name!);
  assert.ok(m, `unexpected name ${name}`);
  assert.ok(Number(m[1]) >= before && Number(m[1]) <= Date.now());
  assert.equal(read(name!).toString(), '0\n1\n2\n3\n4\n');
  assert.equal(counter.connectionCreated, 1);
  await s.stop();
  assert.equal(counter.connectionClosed, 1);
});

test('sink.batchSize bounds the events taken and written per transaction', async () => {
  const { s, put, files, read, channel, counter } = await sink({ 'sink.batchSize': '3', 'sink.rollInterval': '0' });
  await put(events(7));
  await s.process();
  assert.equal(read(files()[0]!).toString(), '0\n1\n2\n');
  assert.equal(channel.size(), 4);
  await s.process();
  await s.process();
  assert.equal(read(files()[0]!).toString(), '0\n1\n2\n3\n4\n5\n6\n');
  assert.deepEqual([counter.batchComplete, counter.batchUnderflow], [2, 1]);
  await s.stop();
});

test('header_and_text output has the headers before each body', async () => {
  const { s, put, files, read } = await sink({ 'sink.serializer': 'header_and_text' });
  await put(events(2, 0, (i) => ({ host: 'web1', n: String(i) })));
  await s.process();
  assert.equal(read(files()[0]!).toString(), '{host=web1, n=0} 0\n{host=web1, n=1} 1\n');
  await s.stop();
});

test('sink.serializer.appendNewline = false is passed to the serializer', async () => {
  const { s, put, files, read } = await sink({ 'sink.serializer': 'TEXT', 'sink.serializer.appendNewline': 'false' });
  await put(events(3));
  await s.process();
  assert.equal(read(files()[0]!).toString(), '012');
  await s.stop();
});

async function avroRecords(file: Buffer): Promise<Event[]> {
  const out: Event[] = [];
  const decoder = new avro.streams.BlockDecoder();
  await new Promise<void>((resolve, reject) => {
    Readable.from([file]).pipe(decoder).on('data', (r: Event) => out.push({ headers: { ...r.headers }, body: Buffer.from(r.body) })).on('end', resolve).on('error', reject);
  });
  return out;
}

test('avro_event output is one container file per roll, each readable on its own', async () => {
  const { s, put, files, read } = await sink({ 'sink.serializer': 'avro_event', 'sink.serializer.compressionCodec': 'deflate', 'sink.rollInterval': '1' });
  const first = events(4, 0, (i) => ({ n: String(i) }));
  const second = events(3, 4, (i) => ({ n: String(i) }));
  await put(first);
  await s.process();
  await delay(1300);
  await put(second);
  await s.process();
  await s.stop();
  const names = files();
  assert.equal(names.length, 2);
  assert.deepEqual(await avroRecords(read(names[0]!)), first);
  assert.deepEqual(await avroRecords(read(names[1]!)), second);
});

test('rolls to a new file every rollInterval seconds without losing, splitting or repeating a batch, and leaves no empty files while idle', async () => {
  const { s, put, files, read, counter } = await sink({ 'sink.rollInterval': '1' });
  await put(events(10));
  await s.process();
  await delay(1300);
  assert.equal(counter.connectionClosed, 1, 'the roll closes the file even when nothing more arrives');
  await put(events(10, 10));
  await s.process();
  await delay(2300);
  const names = files();
  assert.equal(names.length, 2, `files: ${names.join(', ')}`);
  assert.match(names[1]!, /-2$/);
  assert.deepEqual(names.map((n) => read(n).toString()), [bodies(events(10)).join('\n') + '\n', bodies(events(10, 10)).join('\n') + '\n']);
  await s.stop();
});

test('rollInterval 0 keeps one file for the life of the sink', async () => {
  const { s, put, files } = await sink({ 'sink.rollInterval': '0' });
  await put(events(2));
  await s.process();
  await delay(1100);
  await put(events(2, 2));
  await s.process();
  assert.equal(files().length, 1);
  await s.stop();
});

test('sink.pathManager.prefix and extension shape the DEFAULT names', async () => {
  const { s, put, files } = await sink({ 'sink.pathManager.prefix': 'app-', 'sink.pathManager.extension': 'log' });
  await put(events(1));
  await s.process();
  assert.match(files()[0]!, /^app-\d{13}-1\.log$/);
  await s.stop();
});

test('ROLLTIME names carry the local time to the second and count from 1 within it', async () => {
  const { s, put, files } = await sink({ 'sink.pathManager': 'rolltime', 'sink.pathManager.prefix': 'p', 'sink.pathManager.extension': 'txt' });
  await put(events(1));
  await s.process();
  const d = new Date();
  const name = files()[0]!;
  assert.match(name, /^p\d{14}-1\.txt$/);
  assert.equal(name.slice(1, 9), `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`);
  await s.stop();
});

test('an existing file is never overwritten: the next number is used', async () => {
  mock.method(Date, 'now', () => 1_700_000_000_000);
  try {
    const directory = join(root, 'taken');
    const channel = memory();
    const s = fileRollSink.create(options(fileRollSink, { 'sink.directory': directory }), sinkContext(channel));
    await s.start();
    writeFileSync(join(directory, '1700000000000-1'), 'keep me\n');
    const tx = channel.beginPut();
    tx.put(events(1), null);
    await tx.commit();
    await s.process();
    await s.stop();
    assert.equal(readFileSync(join(directory, '1700000000000-1'), 'utf8'), 'keep me\n');
    assert.equal(readFileSync(join(directory, '1700000000000-2'), 'utf8'), '0\n');
  } finally {
    mock.restoreAll();
  }
});

test('a write that fails part way is cut off the file, so the retried batch appears once', async () => {
  const { s, put, files, read, channel, counter } = await sink({ 'sink.fsync': 'true' });
  await put(events(2));
  await s.process();
  const probe = await open(join(root, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<{ bytesWritten: number }> };
  await probe.close();
  const original = proto.write;
  let failures = 1;
  const m = mock.method(proto, 'write', async function (this: unknown, data: Buffer, off: number, len: number, pos: number) {
    if (failures-- > 0) {
      await original.call(this, data, off, Math.floor(len / 2), pos);
      throw new Error('disk went away');
    }
    return original.call(this, data, off, len, pos);
  });
  try {
    await put(events(3, 2));
    await assert.rejects(s.process(), (err) => isSluiceError(err, 'SLUICE_DELIVERY_FAILED') && /disk went away/.test(err.message));
    assert.equal(read(files()[0]!).toString(), '0\n1\n');
    assert.equal(channel.size(), 3, 'the failed batch is back in the channel');
    assert.equal(await s.process(), 'READY');
  } finally {
    m.mock.restore();
  }
  assert.equal(read(files()[0]!).toString(), '0\n1\n2\n3\n4\n');
  assert.equal(counter.eventWriteFail, 1);
  await s.stop();
});

test('a batch taken after stop() is rolled back instead of reopening a file', async () => {
  const { s, put, files, channel } = await sink();
  await s.stop();
  await put(events(2));
  await assert.rejects(s.process(), (err) => isSluiceError(err, 'SLUICE_DELIVERY_FAILED'));
  assert.deepEqual(files(), []);
  assert.equal(channel.size(), 2);
});

test('a directory that cannot be created fails start() naming sink.directory', async () => {
  const file = join(root, 'plain-file');
  writeFileSync(file, '');
  const s = fileRollSink.create(options(fileRollSink, { 'sink.directory': join(file, 'sub') }), sinkContext(memory()));
  await assert.rejects(s.start(), (err) => isSluiceError(err, 'SLUICE_CONFIG_BAD_VALUE') && /sink\.directory/.test(err.message));
});

test('keys are spelled as Flume spells them, with its defaults', () => {
  const o = options(fileRollSink, { 'sink.directory': '/x' });
  assert.deepEqual(
    [o['sink.rollInterval'], o['sink.pathManager'], o['sink.pathManager.prefix'], o['sink.pathManager.extension'], o['sink.serializer'], o['sink.batchSize'], o['sink.fsync']],
    [30, 'DEFAULT', '', '', 'TEXT', 100, false],
  );
  assert.equal(fileRollSink.batchSizeKey, 'sink.batchSize');
  const errors = problems(fileRollSink, { batchSize: '10', 'sink.pathManager': 'HOURLY', 'sink.serializer.codec': 'x' });
  assert.deepEqual(errors.map((e) => [e.code, e.key]).sort(), [
    ['SLUICE_CONFIG_BAD_VALUE', 'sink.pathManager'],
    ['SLUICE_CONFIG_MISSING_KEY', 'sink.directory'],
    ['SLUICE_CONFIG_UNKNOWN_KEY', 'batchSize'],
    ['SLUICE_CONFIG_UNKNOWN_KEY', 'sink.serializer.codec'],
  ]);
});
