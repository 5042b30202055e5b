import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.ts';
import type { ConfigErrors } from '../../../src/errors.ts';
import { avroContainer, startAgent, tempDir, text, until } from './helpers.ts';

function lines(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}\n`).join('');
}

function configErrors(props: string): ConfigErrors['errors'] {
  const body = `a.sources = r\na.channels = c\na.sources.r.type = spooldir\na.sources.r.channels = c\na.channels.c.type = memory\n${props}`;
  try {
    loadConfig({ files: ['t.properties'], agent: 'a', text: body });
  } catch (err) {
    return (err as ConfigErrors).errors;
  }
  return [];
}

test('spoolDir is required, and bad values of the enum keys are refused at load time', () => {
  assert.ok(configErrors('').some((e) => e.code === 'SLUICE_CONFIG_MISSING_KEY' && e.key === 'a.sources.r.spoolDir'));
  for (const [key, value] of [
    ['deletePolicy', 'later'],
    ['trackingPolicy', 'memory'],
    ['consumeOrder', 'newest'],
    ['decodeErrorPolicy', 'SKIP'],
    ['deserializer', 'CSV'],
    ['deserializer.schemaType', 'MD5'],
    ['deserializer.maxLineLength', '0'],
  ]) {
    const errors = configErrors(`a.sources.r.spoolDir = /tmp\na.sources.r.${key} = ${value}`);
    assert.ok(errors.some((e) => e.code === 'SLUICE_CONFIG_BAD_VALUE' && e.key === `a.sources.r.${key}`), key);
  }
  assert.ok(configErrors('a.sources.r.spoolDir = /tmp\na.sources.r.deserializer.maxLineLenght = 5').some((e) => e.code === 'SLUICE_CONFIG_UNKNOWN_KEY'));
  const plan = loadConfig({ files: ['t'], agent: 'a', text: 'a.sources = r\na.channels = c\na.sources.r.type = spooldir\na.sources.r.channels = c\na.sources.r.spoolDir = /tmp\na.sources.r.bufferMaxLines = 10\na.channels.c.type = memory' });
  assert.ok(plan.warnings.some((w) => w.code === 'SLUICE_CONFIG_UNSUPPORTED' && w.key === 'a.sources.r.bufferMaxLines'));
  assert.ok(configErrors('a.sources.r.spoolDir = /tmp\na.sources.r.batchSize = 5000').some((e) => e.code === 'SLUICE_CONFIG_CAPACITY'), 'batchSize above transactionCapacity');
});

test('an unknown charset or an invalid pattern is refused naming the key', async () => {
  const dir = tempDir();
  await assert.rejects(startAgent({ spoolDir: dir, inputCharset: 'EBCDIC' }), /inputCharset.*EBCDIC/s);
  await assert.rejects(startAgent({ spoolDir: dir, 'deserializer.outputCharset': 'KOI8' }), /outputCharset.*KOI8/s);
  await assert.rejects(startAgent({ spoolDir: dir, includePattern: '(' }), /includePattern/);
});

test('every line of every file is delivered and each file is renamed with the default .COMPLETED suffix', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.log'), lines('a', 250));
  writeFileSync(join(dir, 'b.log'), lines('b', 10));
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  const got = text(await t.takeN(260));
  assert.deepEqual([...got].sort(), [...lines('a', 250).split('\n'), ...lines('b', 10).split('\n')].filter(Boolean).sort());
  await until('both files are renamed', () => existsSync(join(dir, 'a.log.COMPLETED')) && existsSync(join(dir, 'b.log.COMPLETED')));
  assert.deepEqual(readdirSync(dir).sort(), ['.flumespool', 'a.log.COMPLETED', 'b.log.COMPLETED']);
  const c = t.counter();
  assert.equal(c.eventAccepted, 260);
  assert.equal(c.appendBatchAccepted, 4, 'default batchSize 100: 100 + 100 + 50 + 10');
});

test('fileSuffix names the rename, and files ending with it are never read', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'old.log.done'), 'not me\n');
  writeFileSync(join(dir, 'new.log'), 'me\n');
  const t = await startAgent({ spoolDir: dir, fileSuffix: '.done', pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['me']);
  await until('renamed', () => existsSync(join(dir, 'new.log.done')));
  assert.deepEqual(await t.take(10, 300), []);
});

test('deletePolicy immediate deletes a file once it is delivered', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'gone.log'), lines('g', 5));
  const t = await startAgent({ spoolDir: dir, deletePolicy: 'IMMEDIATE', pollDelay: 50 });
  assert.equal((await t.takeN(5)).length, 5);
  await until('deleted', () => !existsSync(join(dir, 'gone.log')));
  assert.deepEqual(readdirSync(dir), ['.flumespool']);
});

test('trackingPolicy tracker_dir leaves files in place, marks them in trackerDir, and never reads them again', async () => {
  const dir = tempDir();
  const tracker = tempDir('tracker');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'top.log'), 'top\n');
  writeFileSync(join(dir, 'sub', 'deep.log'), 'deep\n');
  const props = { spoolDir: dir, trackingPolicy: 'tracker_dir', trackerDir: tracker, recursiveDirectorySearch: true, pollDelay: 50 };
  let t = await startAgent(props);
  assert.deepEqual(text(await t.takeN(2)).sort(), ['deep', 'top']);
  await until('both marked', () => existsSync(join(tracker, 'top.log.COMPLETED')) && existsSync(join(tracker, 'sub', 'deep.log.COMPLETED')));
  assert.ok(existsSync(join(dir, 'top.log')) && existsSync(join(dir, 'sub', 'deep.log')), 'the files stay');
  await t.stop();
  t = await startAgent(props);
  assert.deepEqual(await t.take(10, 400), [], 'marked files are not read after a restart');
  // Flume's own (empty) markers are honoured too.
  writeFileSync(join(dir, 'flume.log'), 'x\n');
  writeFileSync(join(tracker, 'flume.log.COMPLETED'), '');
  assert.deepEqual(await t.take(10, 400), []);
});

test('trackerDir holds the positions, relative to spoolDir by default', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.log'), lines('a', 300));
  const t = await startAgent({ spoolDir: dir, trackerDir: 'meta', batchSize: 100, pollDelay: 50 });
  await t.takeN(100);
  await until('a position is saved', () => existsSync(join(dir, 'meta', '.sluice')) && readdirSync(join(dir, 'meta', '.sluice')).some((f) => f.endsWith('.json')));
  const [saved] = readdirSync(join(dir, 'meta', '.sluice')).filter((f) => f.endsWith('.json'));
  const pos = JSON.parse(readFileSync(join(dir, 'meta', '.sluice', saved!), 'utf8'));
  assert.equal(pos.file, 'a.log');
  assert.ok(pos.offset > 0 && pos.offset % Buffer.byteLength('a-0\n') >= 0);
});

test('fileHeader and basenameHeader add the absolute path and the name under their keys', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'h.log'), 'x\n');
  let t = await startAgent({ spoolDir: dir, fileHeader: true, basenameHeader: true, pollDelay: 50 });
  assert.deepEqual((await t.takeN(1))[0]!.headers, { file: join(dir, 'h.log'), basename: 'h.log' });
  await t.stop();
  writeFileSync(join(dir, 'k.log'), 'y\n');
  t = await startAgent({ spoolDir: dir, fileHeader: true, fileHeaderKey: 'path', basenameHeader: true, basenameHeaderKey: 'name', pollDelay: 50 });
  assert.deepEqual((await t.takeN(1))[0]!.headers, { path: join(dir, 'k.log'), name: 'k.log' });
  await t.stop();
  writeFileSync(join(dir, 'n.log'), 'z\n');
  t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  assert.deepEqual((await t.takeN(1))[0]!.headers, {}, 'no header by default');
});

test('includePattern and ignorePattern match whole names, ignore wins, and hidden files are skipped', async () => {
  const dir = tempDir();
  for (const name of ['app.log', 'xapp.log', 'app.log.1', 'app-skip.log', '.hidden.log']) writeFileSync(join(dir, name), `${name}\n`);
  const t = await startAgent({ spoolDir: dir, includePattern: 'app.*\\.log', ignorePattern: '.*skip.*', pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['app.log']);
  assert.deepEqual(await t.take(10, 400), []);
});

test('consumeOrder reads the oldest, the youngest or a random file first, ties going to the smaller name', async () => {
  const names = ['c.log', 'a.log', 'b.log', 'd.log'];
  const mtimes = [1000, 2000, 2000, 3000];
  const run = async (order: string) => {
    const dir = tempDir();
    names.forEach((n, i) => {
      writeFileSync(join(dir, n), `${n}\n`);
      utimesSync(join(dir, n), mtimes[i]!, mtimes[i]!);
    });
    const t = await startAgent({ spoolDir: dir, consumeOrder: order, pollDelay: 50 });
    const got = text(await t.takeN(4));
    await t.stop();
    return got;
  };
  assert.deepEqual(await run('oldest'), ['c.log', 'a.log', 'b.log', 'd.log']);
  assert.deepEqual(await run('youngest'), ['d.log', 'a.log', 'b.log', 'c.log']);
  assert.deepEqual((await run('random')).sort(), ['a.log', 'b.log', 'c.log', 'd.log']);
});

test('recursiveDirectorySearch reads sub-directories (not hidden ones nor ignored ones) and renames files where they are', async () => {
  const dir = tempDir();
  for (const sub of ['one', 'one/two', '.hidden', 'skipme']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'top.log'), 'top\n');
  writeFileSync(join(dir, 'one', 'two', 'deep.log'), 'deep\n');
  writeFileSync(join(dir, '.hidden', 'h.log'), 'hidden\n');
  writeFileSync(join(dir, 'skipme', 's.log'), 'skipped\n');
  let t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['top']);
  assert.deepEqual(await t.take(10, 300), [], 'not recursive by default');
  await t.stop();
  t = await startAgent({ spoolDir: dir, recursiveDirectorySearch: true, ignorePattern: 'skip.*', pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['deep']);
  await until('renamed in its directory', () => existsSync(join(dir, 'one', 'two', 'deep.log.COMPLETED')));
  assert.deepEqual(await t.take(10, 300), []);
});

test('pollDelay paces the scans that find files a directory watcher cannot see', async () => {
  // New files in sub-directories do not wake the watcher of spoolDir: only the next scan finds them.
  const run = async (pollDelay: number) => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const t = await startAgent({ spoolDir: dir, recursiveDirectorySearch: true, pollDelay });
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(dir, 'sub', 'late.log'), 'late\n');
    const got = await t.takeN(1, 1500);
    await t.stop();
    return got.length;
  };
  assert.equal(await run(100), 1, 'found within 1.5 s with pollDelay 100');
  assert.equal(await run(5000), 0, 'not yet found after 1.5 s with pollDelay 5000');
});

test('batchSize sets the events per channel transaction', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'b.log'), lines('b', 95));
  const t = await startAgent({ spoolDir: dir, batchSize: 10, pollDelay: 50 });
  await t.takeN(95);
  assert.equal(t.counter().appendBatchAccepted, 10);
});

test('maxBackoff caps the doubling wait before the same batch is retried on a full channel, and nothing is lost', async () => {
  const run = async (maxBackoff: number) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.log'), lines('f', 30));
    // The source reads ahead by the largest capacity (c2), so the small channel c1 is what refuses.
    const t = await startAgent({ spoolDir: dir, batchSize: 10, maxBackoff, pollDelay: 50 }, { channels: ['c1', 'c2'], capacity: { c1: 10 } });
    await new Promise((r) => setTimeout(r, 2600));
    const fails = t.counter().channelWriteFail;
    const got = text(await t.takeN(30, 10_000, 'c1'));
    await t.stop();
    return { fails, got };
  };
  const slow = await run(4000);
  const fast = await run(250);
  // 4000: retries at 0.25, 0.75, 1.75 s (then 3.75 s); 250: every 0.25 s.
  assert.ok(slow.fails >= 2 && slow.fails <= 4, `maxBackoff 4000 failed ${slow.fails} times`);
  assert.ok(fast.fails >= 8, `maxBackoff 250 failed ${fast.fails} times`);
  for (const r of [slow, fast]) assert.deepEqual(r.got, lines('f', 30).trim().split('\n'), 'each line exactly once and in order in the channel that refused');
});

test('inputCharset, outputCharset and maxLineLength (also as the deprecated bufferMaxLineLength) shape the bodies', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'l.log'), Buffer.from('crème brûlée\n', 'latin1'));
  let t = await startAgent({ spoolDir: dir, inputCharset: 'ISO-8859-1', 'deserializer.outputCharset': 'UTF-16BE', 'deserializer.maxLineLength': 5, pollDelay: 50 });
  assert.deepEqual((await t.takeN(3)).map((e) => Buffer.from(e.body).swap16().toString('utf16le')), ['crème', ' brûl', 'ée']);
  await t.stop();
  writeFileSync(join(dir, 'm.log'), 'abcdefgh\n');
  t = await startAgent({ spoolDir: dir, bufferMaxLineLength: 3, pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(3)), ['abc', 'def', 'gh']);
});

test('decodeErrorPolicy REPLACE and IGNORE read past invalid bytes', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'r.log'), Buffer.from([0x61, 0xff, 0x62, 0x0a]));
  let t = await startAgent({ spoolDir: dir, decodeErrorPolicy: 'replace', pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['a\uFFFDb']);
  await t.stop();
  writeFileSync(join(dir, 'i.log'), Buffer.from([0x61, 0xff, 0x62, 0x0a]));
  t = await startAgent({ spoolDir: dir, decodeErrorPolicy: 'IGNORE', pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(1)), ['ab']);
});

test('deserializer BLOB makes one event per file and AVRO one per record, by short name or Flume class', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'blob.bin'), 'line one\nline two\n');
  let t = await startAgent({ spoolDir: dir, deserializer: 'org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder', 'deserializer.maxBlobLength': 10, pollDelay: 50 });
  assert.deepEqual(text(await t.takeN(2)), ['line one\nl', 'ine two\n']);
  await t.stop();
  const avro = (await import('avsc')).default;
  const type = avro.Type.forSchema({ type: 'record', name: 'P', fields: [{ name: 'n', type: 'int' }] });
  writeFileSync(join(dir, 'data.avro'), await avroContainer(type, [0, 1, 2, 3, 4].map((n) => ({ n }))));
  t = await startAgent({ spoolDir: dir, deserializer: 'avro', 'deserializer.schemaType': 'LITERAL', pollDelay: 50 });
  const events = await t.takeN(5);
  assert.deepEqual(events.map((e) => type.fromBuffer(e.body).n), [0, 1, 2, 3, 4]);
  assert.ok(events.every((e) => JSON.parse(e.headers['flume.avro.schema.literal']!).name === 'P'));
});

test('an empty file gives one empty event, as in Flume', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'empty.log'), '');
  const t = await startAgent({ spoolDir: dir, pollDelay: 50 });
  const got = await t.takeN(1);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.body.length, 0);
  await until('renamed', () => existsSync(join(dir, 'empty.log.COMPLETED')));
});

test('selector.* and interceptors apply to the batches the source puts', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'red.log'), 'r1\nr2\n');
  writeFileSync(join(dir, 'blue.log'), 'b1\n');
  const t = await startAgent(
    {
      spoolDir: dir,
      basenameHeader: true,
      'selector.type': 'multiplexing',
      'selector.header': 'basename',
      'selector.mapping.red.log': 'c1',
      'selector.default': 'c2',
      interceptors: 'i',
      'interceptors.i.type': 'static',
      'interceptors.i.key': 'dc',
      'interceptors.i.value': 'east',
      pollDelay: 50,
    },
    { channels: ['c1', 'c2'] },
  );
  const red = await t.takeN(2, 5000, 'c1');
  const blue = await t.takeN(1, 5000, 'c2');
  assert.deepEqual(text(red), ['r1', 'r2']);
  assert.deepEqual(text(blue), ['b1']);
  assert.ok([...red, ...blue].every((e) => e.headers['dc'] === 'east'));
});
