import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, rmSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isSluiceError } from '../../../src/errors.ts';
import type { FileChannel } from '../../../src/channels/file/channel.ts';
import { captureLogger, crashCopy, dataFiles, drainAll, events, frames, makeChannel, put, range, take, tempDir } from './helpers.ts';

const cleanup: Array<() => void> = [];
after(() => {
  for (const c of cleanup) c();
});
const open: FileChannel[] = [];
after(async () => {
  for (const ch of open) await ch.stop();
});

/** A crashed channel directory holding three put batches (0–9, 10–19, 20–29) after the start checkpoint. */
async function crashedWithThreeBatches(props: Record<string, string> = {}): Promise<string> {
  const t = tempDir();
  cleanup.push(t.remove);
  const ch = makeChannel(t.dir, { checkpointOnClose: 'false', ...props });
  await ch.start();
  open.push(ch);
  for (let i = 0; i < 3; i++) await put(ch, events(10, i * 10, 20));
  const copy = crashCopy(t.dir);
  cleanup.push(() => rmSync(copy, { recursive: true, force: true }));
  return copy;
}

function flip(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, offset);
  b[0] ^= 0x5a;
  writeSync(fd, b, 0, 1, offset);
  closeSync(fd);
}

async function startLogged(dir: string, props: Record<string, string> = {}) {
  const { logger, lines } = captureLogger();
  const ch = makeChannel(dir, props, logger);
  await ch.start();
  open.push(ch);
  return { ch, lines };
}

describe('file channel damage', () => {
  test('a truncated tail is cut back to the last whole commit, with a log line saying how much was dropped', async () => {
    const d = await crashedWithThreeBatches();
    const file = dataFiles(d).at(-1)!;
    const [, second, third] = frames(file);
    truncateSync(file, third!.offset + 30);
    const { ch, lines } = await startLogged(d);
    assert.deepEqual(await drainAll(ch), range(0, 20));
    const warn = lines.find((l) => l.msg.includes('torn tail'))!;
    assert.equal(warn['droppedBytes'], 30);
    assert.equal(warn['offset'], third!.offset);
    assert.equal(statSync(file).size, second!.offset + second!.size, 'the file now ends after the last whole commit');
  });

  test('flipped bytes in the last record drop that commit only', async () => {
    const d = await crashedWithThreeBatches();
    const file = dataFiles(d).at(-1)!;
    const third = frames(file)[2]!;
    flip(file, third.offset + third.size - 5);
    const { ch, lines } = await startLogged(d);
    assert.deepEqual(await drainAll(ch), range(0, 20));
    assert.equal(lines.find((l) => l.msg.includes('torn tail'))!['droppedBytes'], third.size);
  });

  test('flipped bytes in the middle of a data file stop startup with an error naming the file and offset', async () => {
    const d = await crashedWithThreeBatches();
    const file = dataFiles(d).at(-1)!;
    const second = frames(file)[1]!;
    flip(file, second.offset + 40);
    await assert.rejects(makeChannel(d).start(), (e) => {
      assert.ok(isSluiceError(e, 'SLUICE_CHANNEL_CORRUPT'));
      assert.ok(e.message.includes(`${file} is damaged at offset ${second.offset}`), e.message);
      return true;
    });
  });

  test('a damaged frame length in the middle is told from a torn tail by the valid frame after it', async () => {
    const d = await crashedWithThreeBatches();
    const file = dataFiles(d).at(-1)!;
    const [, second, third] = frames(file);
    flip(file, second!.offset + 6);
    await assert.rejects(makeChannel(d).start(), (e) => isSluiceError(e, 'SLUICE_CHANNEL_CORRUPT') && e.message.includes(`valid record at offset ${third!.offset}`));
  });

  test('damage at the end of a data file that is not the newest is an error, not a torn tail', async () => {
    const d = await crashedWithThreeBatches({ maxFileSize: '600' });
    const files = dataFiles(d);
    assert.ok(files.length >= 3, `${files.length} files`);
    const older = files[1]!;
    truncateSync(older, statSync(older).size - 3);
    await assert.rejects(makeChannel(d).start(), (e) => isSluiceError(e, 'SLUICE_CHANNEL_CORRUPT') && e.message.includes(older));
  });

  test('without a checkpoint every data file is replayed, to the same queue', async () => {
    const t = tempDir();
    cleanup.push(t.remove);
    const ch = makeChannel(t.dir, { maxFileSize: '2000', checkpointOnClose: 'false' });
    await ch.start();
    open.push(ch);
    for (let i = 0; i < 20; i++) await put(ch, events(10, i * 10, 50));
    await take(ch, 95);
    await ch.checkpoint();
    await take(ch, 20);
    const tx = ch.beginTake();
    await tx.take(5);
    const copy = crashCopy(t.dir);
    cleanup.push(() => rmSync(copy, { recursive: true, force: true }));
    await tx.rollback();
    unlinkSync(join(copy, 'checkpoint', 'sluice-checkpoint'));
    const { ch: again, lines } = await startLogged(copy);
    assert.ok(lines.some((l) => l.level === 40 && l.msg.includes('no usable checkpoint')));
    assert.deepEqual(await drainAll(again), range(115, 200));
  });

  test('a damaged checkpoint falls back to the backup checkpoint', async () => {
    const t = tempDir();
    cleanup.push(t.remove);
    const dual = { useDualCheckpoints: 'true', backupCheckpointDir: join(t.dir, 'backup') };
    const ch = makeChannel(t.dir, { ...dual, checkpointOnClose: 'false' });
    await ch.start();
    open.push(ch);
    await put(ch, events(50, 0, 100));
    await take(ch, 10);
    await ch.checkpoint();
    await put(ch, events(5, 50));
    const copy = crashCopy(t.dir);
    cleanup.push(() => rmSync(copy, { recursive: true, force: true }));
    flip(join(copy, 'checkpoint', 'sluice-checkpoint'), 30);
    const { ch: again, lines } = await startLogged(copy, { ...dual, backupCheckpointDir: join(copy, 'backup') });
    assert.ok(lines.some((l) => l.msg.includes('cannot use its checkpoint') && l.msg.includes('checksum')));
    const started = lines.find((l) => l.msg.includes('started with'))!;
    assert.ok((started['replayedBytes'] as number) < 1000, 'the backup checkpoint spared a full replay');
    assert.deepEqual(await drainAll(again), range(10, 55));
  });

  test('a missing data file stops startup with an error naming it', async () => {
    const d = await crashedWithThreeBatches({ maxFileSize: '600' });
    const files = dataFiles(d);
    unlinkSync(files[1]!);
    await assert.rejects(makeChannel(d).start(), (e) => isSluiceError(e, 'SLUICE_CHANNEL_CORRUPT') && e.message.includes(`data file ${files[1]!.split('/').pop()} is missing`));
  });

  test('a damaged record that only a take reads fails that take with the file and offset, and skips nothing', async () => {
    const t = tempDir();
    cleanup.push(t.remove);
    const ch = makeChannel(t.dir);
    await ch.start();
    await put(ch, events(10, 0, 20));
    await put(ch, events(10, 10, 20));
    await ch.stop();
    const file = dataFiles(t.dir).at(-1)!;
    const first = frames(file)[0]!;
    flip(file, first.offset + 60);
    const again = makeChannel(t.dir);
    await again.start();
    open.push(again);
    await assert.rejects(take(again, 5), (e) => isSluiceError(e, 'SLUICE_CHANNEL_CORRUPT') && e.message.includes(`offset ${first.offset + 20} of data file ${file}`));
    assert.equal(again.size(), 20, 'the failed take rolled back: nothing was skipped');
  });
});
