import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { test } from 'node:test';
import { ChunkedFile } from '../../../src/sources/spooldir/chunks.ts';
import { PositionStore } from '../../../src/sources/spooldir/tracker.ts';
import { avroContainer, startAgent, tempDir, text, until } from './helpers.ts';

function lines(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}\n`).join('');
}

const errorsOf = (logs: { level: number; msg: string }[]) => logs.filter((l) => l.level >= 50).map((l) => l.msg);

test('the position advances only to the end of the longest delivered prefix of batches', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'p.log'), lines('p', 30));
  const t = await startAgent({ spoolDir: dir, batchSize: 10, pollDelay: 50 });
  const store = new PositionStore(join(dir, '.flumespool'));
  await until('all three batches are in the channel', () => t.channel().size() === 30);
  const first = t.channel().beginTake();
  await first.take(10);
  const second = t.channel().beginTake();
  await second.take(20);
  await second.commit();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await store.load('p.log'), undefined, 'batches 2 and 3 delivered, batch 1 not: nothing is saved');
  assert.ok(existsSync(join(dir, 'p.log')), 'not renamed');
  assert.equal(t.counter().awaitingAck, 30);
  await first.commit();
  await until('renamed once all is delivered', () => existsSync(join(dir, 'p.log.COMPLETED')));
  await until('the position is dropped after the rename', async () => (await store.load('p.log')) === undefined);
  await until('gauges are updated', () => t.counter().awaitingAck === 0);
});

test('a file is renamed only once every event of it is delivered, and events awaiting it are exposed', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'w.log'), lines('w', 50));
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  await until('in the channel', () => t.channel().size() === 50);
  assert.equal(t.counter().awaitingAck, 50);
  await until('the oldest unacknowledged age passes a second', () => t.counter().oldestUnackedMs >= 1000, 5000);
  assert.ok(existsSync(join(dir, 'w.log')));
  await t.takeN(50);
  await until('renamed', () => existsSync(join(dir, 'w.log.COMPLETED')));
});

test('with a replicating selector the file waits for both channels; an optional channel of a multiplexing selector never holds it', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'both.log'), lines('x', 40));
  let t = await startAgent({ spoolDir: dir, batchSize: 10, pollDelay: 50 }, { channels: ['c1', 'c2'] });
  await t.takeN(40, 5000, 'c1');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(existsSync(join(dir, 'both.log')), 'c1 delivered everything, c2 nothing: not done');
  assert.equal(t.counter().awaitingAck, 40);
  await t.takeN(25, 5000, 'c2');
  await until('the position covers the batches both delivered', async () => (await new PositionStore(join(dir, '.flumespool')).load('both.log'))?.offset === Buffer.byteLength(lines('x', 20)));
  await t.takeN(15, 5000, 'c2');
  await until('renamed once both delivered', () => existsSync(join(dir, 'both.log.COMPLETED')));
  await t.stop();

  writeFileSync(join(dir, 'mux.log'), lines('m', 40));
  const mux = { 'selector.type': 'multiplexing', 'selector.header': 'basename', 'selector.mapping.mux.log': 'c1', 'selector.optional.mux.log': 'c2', 'selector.default': 'c1' };
  t = await startAgent({ spoolDir: dir, batchSize: 10, pollDelay: 50, basenameHeader: true, ...mux }, { channels: ['c1', 'c2'] });
  await until('both channels got the events', () => t.channel('c1').size() === 40 && t.channel('c2').size() === 40);
  await t.takeN(40, 5000, 'c1');
  await until('renamed without waiting for the optional channel', () => existsSync(join(dir, 'mux.log.COMPLETED')));
  assert.equal(t.channel('c2').size(), 40);
});

test('reading runs ahead of delivery by at most the largest channel capacity', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'big.log'), lines('b', 2000));
  // c1 (capacity 300) is optional and drained by nobody... c2 (capacity 250) holds the token: the source
  // must stop at 300 events awaiting delivery even though c1 would take more.
  const t = await startAgent({ spoolDir: dir, batchSize: 50, pollDelay: 50, 'selector.optional': 'c1' }, { channels: ['c1', 'c2'], capacity: { c1: 300, c2: 250 } });
  await until('c2 is full', () => t.channel('c2').size() === 250);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(t.counter().awaitingAck <= 300, `${t.counter().awaitingAck} awaiting`);
  assert.ok(t.counter().eventAccepted <= 300, `${t.counter().eventAccepted} accepted`);
  const got = await t.takeN(2000, 20_000, 'c2');
  assert.equal(new Set(text(got)).size, 2000);
});

test('after a stop the source resumes where delivery stopped: nothing is lost, and only undelivered events come again', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'r.log'), lines('r', 1000));
  let t = await startAgent({ spoolDir: dir, batchSize: 100, pollDelay: 50 });
  const delivered = text(await t.takeN(350));
  await t.stop();
  t = await startAgent({ spoolDir: dir, batchSize: 100, pollDelay: 50 });
  await until('resumed', () => t.logs.some((l) => /Resuming file .*r\.log" at byte [1-9]/.test(l.msg)));
  const rest = text(await t.takeN(1000 - 300));
  const all = new Set([...delivered, ...rest]);
  assert.equal(all.size, 1000, 'every line');
  assert.ok(delivered.length + rest.length - 1000 <= 100, `duplicates only from the batch that was cut: ${delivered.length + rest.length - 1000}`);
  await until('renamed', () => existsSync(join(dir, 'r.log.COMPLETED')));
});

test('a file modified after it was picked up is reported, left in place untouched, and other files go on', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a-changing.log'), lines('c', 20));
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  await until('read', () => t.channel().size() === 20);
  appendFileSync(join(dir, 'a-changing.log'), 'more\n');
  await t.takeN(20);
  await until('reported', () => errorsOf(t.logs).some((m) => /a-changing\.log" changed after it was picked up \(size 90 → 95 bytes/.test(m)));
  writeFileSync(join(dir, 'b-next.log'), 'next\n');
  assert.deepEqual(text(await t.takeN(1)), ['next'], 'other files are still read');
  assert.ok(existsSync(join(dir, 'a-changing.log')) && !existsSync(join(dir, 'a-changing.log.COMPLETED')));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(errorsOf(t.logs).filter((m) => /a-changing/.test(m)).length, 1, 'reported once, not at every scan');
  assert.ok(t.counter().genericProcessingFail >= 1);
});

test('a file replaced while the agent was down is not resumed at the old position', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'swap.log'), lines('old', 500));
  let t = await startAgent({ spoolDir: dir, batchSize: 100, pollDelay: 50 });
  await t.takeN(200);
  await t.stop();
  rmSync(join(dir, 'swap.log'));
  writeFileSync(join(dir, 'swap.log'), lines('new', 500));
  t = await startAgent({ spoolDir: dir, batchSize: 100, pollDelay: 50 });
  await until('reported', () => errorsOf(t.logs).some((m) => /swap\.log" changed after it was picked up \(/.test(m) && /remove ".*\.sluice/.test(m)));
  assert.deepEqual(await t.take(10, 200), []);
});

test('a reused name (the .COMPLETED file exists) is reported and the file is left in place', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'dup.log.COMPLETED'), 'earlier\n');
  writeFileSync(join(dir, 'dup.log'), 'later\n');
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['later']);
  await until('reported', () => errorsOf(t.logs).some((m) => /dup\.log" was fully delivered but cannot be marked done: ".*dup\.log\.COMPLETED" already exists/.test(m)));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await t.take(10, 0), [], 'not read again');
  // Once the other file is out of the way, the delivered file is renamed without being read again.
  renameSync(join(dir, 'dup.log.COMPLETED'), join(dir, 'earlier.log.COMPLETED'));
  await until('renamed', () => existsSync(join(dir, 'dup.log.COMPLETED')));
  assert.deepEqual(await t.take(10, 0), []);
});

test('a reused name under tracker_dir (a marker for another file) is reported and the new file is not read', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'same.log'), 'first\n');
  const props = { spoolDir: dir, trackingPolicy: 'tracker_dir', pollDelay: 50 };
  let t = await startAgent(props);
  await t.takeN(1);
  await until('marked', () => existsSync(join(dir, '.flumespool', 'same.log.COMPLETED')));
  await t.stop();
  rmSync(join(dir, 'same.log'));
  writeFileSync(join(dir, 'same.log'), 'second, different\n');
  t = await startAgent(props);
  await until('reported', () => errorsOf(t.logs).some((m) => /same\.log" has the name of a file already completed/.test(m)));
  assert.deepEqual(await t.take(10, 200), []);
});

test('undecodable bytes under FAIL stop that file after what came before is delivered; other files go on', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a-bad.log'), Buffer.concat([Buffer.from(lines('ok', 3)), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('after\n')]));
  writeFileSync(join(dir, 'b-good.log'), 'good\n');
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  const got = text(await t.takeN(4));
  assert.deepEqual(got.sort(), ['good', 'ok-0', 'ok-1', 'ok-2']);
  await until('reported', () => errorsOf(t.logs).some((m) => /a-bad\.log" at byte 15: bytes that are not valid UTF-8/.test(m)));
  assert.ok(existsSync(join(dir, 'a-bad.log')));
  assert.equal(t.counter().eventReadFail, 1);
});

test('an unreadable file is reported, skipped, and read once it can be', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'locked.log'), 'secret\n');
  // Tests may run as root, which reads any file: refuse the open the way a permission error would.
  let locked = true;
  const open = ChunkedFile.open;
  t.mock.method(ChunkedFile, 'open', (path: string, offset: number) => {
    if (locked && path.endsWith('locked.log')) return Promise.reject(Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' }));
    return open(path, offset);
  });
  const a = await startAgent({ spoolDir: dir, pollDelay: 50 });
  await until('reported', () => errorsOf(a.logs).some((m) => /Cannot open ".*locked\.log" \(EACCES/.test(m)));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(errorsOf(a.logs).length, 1, 'reported once although retried at every scan');
  assert.ok(existsSync(join(dir, 'locked.log')));
  locked = false;
  assert.deepEqual(text(await a.takeN(1)), ['secret']);
});

test('a missing spoolDir does not fail the start: the source waits for it', async () => {
  const dir = join(tempDir(), 'later');
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  await until('reported', () => errorsOf(t.logs).some((m) => m.includes(`spoolDir "${dir}" cannot be used yet`)));
  mkdirSync(dir);
  writeFileSync(join(dir, 'x.log'), 'x\n');
  assert.deepEqual(text(await t.takeN(1, 8000)), ['x']);
  assert.ok(readdirSync(dir).includes('.flumespool'));
});

test('a position left by Flume in .flumespool-main.meta is taken over, then set aside', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'taken.log'), lines('t', 100));
  const metaType = avro.Type.forSchema({ type: 'record', name: 'TransferStateFileMeta', namespace: 'org.apache.flume.serialization', fields: [{ name: 'offset', type: 'long' }] });
  mkdirSync(join(dir, '.flumespool'));
  const meta = join(dir, '.flumespool', '.flumespool-main.meta');
  const at = Buffer.byteLength(lines('t', 40));
  writeFileSync(meta, await avroContainer(metaType, [{ offset: 7 }, { offset: at }], { metadata: { file: Buffer.from(join(dir, 'taken.log')) } }));
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  const got = text(await t.takeN(60));
  assert.equal(got[0], 't-40');
  assert.equal(got.length, 60);
  assert.deepEqual(await t.take(10, 300), [], 'nothing before Flume\'s position is read again');
  assert.ok(existsSync(`${meta}.imported`) && !existsSync(meta));
});
