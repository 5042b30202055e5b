import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isSluiceError } from '../../../src/errors.ts';
import { captureLogger, drainAll, events, makeChannel, put, range, take, tempDir } from './helpers.ts';

const cleanup: Array<() => void> = [];
after(() => {
  for (const c of cleanup) c();
});

describe('file channel on a full disk', () => {
  test('below minimumRequiredSpace puts fail with SLUICE_CHANNEL_DISK_FULL and one logged error, takes go on, nothing is lost', async () => {
    const t = tempDir();
    cleanup.push(t.remove);
    const ch = makeChannel(t.dir);
    await ch.start();
    await put(ch, events(50));
    await ch.stop();
    const { logger, lines } = captureLogger();
    const starved = makeChannel(t.dir, { minimumRequiredSpace: String(2 ** 52) }, logger);
    await starved.start();
    for (let i = 0; i < 3; i++) {
      await assert.rejects(put(starved, events(10, 50)), (e) => isSluiceError(e, 'SLUICE_CHANNEL_DISK_FULL') && e.message.includes(`minimumRequiredSpace is ${2 ** 52}`));
    }
    assert.equal(lines.filter((l) => l.level === 50 && l.msg.includes('refuses puts')).length, 1, 'logged once, not per attempt');
    assert.deepEqual((await take(starved, 20)).map((e) => e.body.toString()), range(0, 20));
    await starved.stop();
    const after = makeChannel(t.dir);
    await after.start();
    assert.deepEqual(await drainAll(after), range(20, 50));
    await after.stop();
  });

  test('on a full tmpfs puts fail at the floor and on ENOSPC, the file is cut back, takes go on, and a restart holds exactly what was accepted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fc-tmpfs-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // A private mount namespace: the 8 MiB tmpfs exists only for the child and goes away with it.
    const child = spawnSync(
      'unshare',
      ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=8m tmpfs "$1" && exec "$2" --import tsx "$3" "$1"', 'sh', dir, process.execPath, new URL('./disk-full-child.ts', import.meta.url).pathname],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(child.status, 0, `the tmpfs child failed (unshare and mount need user namespaces): ${child.error?.message ?? ''}\n${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    assert.equal(r.floorCode, 'SLUICE_CHANNEL_DISK_FULL');
    assert.ok(r.acceptedBeforeFloor >= 5000, `${r.acceptedBeforeFloor} events of 1 kB fit in 8 MiB above the 1 MiB floor`);
    assert.equal(r.takenWhileRefused, 3000, 'takes go on while puts are refused');
    assert.equal(r.putAfterFreeing, true, 'puts resume once taken data files are deleted');
    assert.match(r.enospcMessage, /is full/, 'a write that hit ENOSPC fails with SLUICE_CHANNEL_DISK_FULL');
    assert.equal(r.fileCutBack, true, 'the partly written frame was cut off');
    assert.equal(r.takenWhileFull, 100, 'a take commits while the disk is full');
    assert.equal(r.putAfterEnospc, true);
    assert.equal(r.left, r.expectedLeft);
    assert.equal(r.exact, true, 'the events left are exactly the accepted ones not taken, in order');
  });
});
