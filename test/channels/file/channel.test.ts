import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../../src/agent/agent.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Event } from '../../../src/core/event.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { type ConfigErrors, isSluiceError } from '../../../src/errors.ts';
import { agentText, captureLogger, crashCopy, dataFiles, drainAll, events, frames, makeChannel, put, range, take, tempDir } from './helpers.ts';

const cleanup: Array<() => void> = [];
after(() => {
  for (const c of cleanup) c();
});
function dir(): string {
  const t = tempDir();
  cleanup.push(t.remove);
  return t.dir;
}
/** crashCopy, removed after the run. */
function copy(d: string): string {
  const c = crashCopy(d);
  cleanup.push(() => rmSync(c, { recursive: true, force: true }));
  return c;
}
const bodies = (list: { body: Buffer }[]) => list.map((e) => e.body.toString());

describe('file channel', () => {
  test('committed puts and takes survive a restart, in order', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    await put(ch, events(10));
    await put(ch, events(5, 10));
    assert.deepEqual(bodies(await take(ch, 3)), ['0', '1', '2']);
    await ch.stop();
    const again = makeChannel(d);
    await again.start();
    assert.equal(again.size(), 12);
    assert.deepEqual(await drainAll(again), range(3, 15));
    await again.stop();
    await ch.start();
    assert.equal(ch.size(), 0, 'a channel started again reads its state from disk, not from before stop()');
    await ch.stop();
  });

  test('a rolled-back put is neither visible nor written', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    const tx = ch.beginPut();
    tx.put(events(3), null);
    await tx.rollback();
    assert.equal(ch.size(), 0);
    assert.equal(frames(dataFiles(d).at(-1)!).length, 0, 'nothing reached the data file');
    await ch.stop();
  });

  test('after a crash an uncommitted take reappears and a committed one does not', async () => {
    const d = dir();
    const ch = makeChannel(d, { checkpointOnClose: 'false' });
    await ch.start();
    await put(ch, events(6));
    assert.deepEqual(bodies(await take(ch, 2)), ['0', '1']);
    const open = ch.beginTake();
    assert.deepEqual(bodies(await open.take(2)), ['2', '3']);
    const after = makeChannel(copy(d));
    await after.start();
    assert.deepEqual(await drainAll(after), range(2, 6));
    await after.stop();
    await open.rollback();
    await ch.stop();
  });

  test('commits racing stop() either commit or fail with SLUICE_CHANNEL_CLOSED, and a restart agrees with them', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    const puts = Array.from({ length: 10 }, (_, i) => put(ch, events(10, i * 10)).then(
      () => range(i * 10, i * 10 + 10),
      (e) => {
        assert.ok(isSluiceError(e, 'SLUICE_CHANNEL_CLOSED'), String(e));
        return [];
      },
    ));
    await ch.stop();
    const committed = (await Promise.all(puts)).flat();
    await assert.rejects(put(ch, events(1)), (e) => isSluiceError(e, 'SLUICE_CHANNEL_CLOSED'));
    const again = makeChannel(d);
    await again.start();
    assert.deepEqual((await drainAll(again)).sort(), committed.sort());
    await again.stop();
  });

  test('a take rollback returns the events to the head in their original order', async () => {
    const ch = makeChannel(dir());
    await ch.start();
    await put(ch, events(3));
    await put(ch, events(3, 3));
    const tx = ch.beginTake();
    assert.deepEqual(bodies(await tx.take(4)), ['0', '1', '2', '3']);
    await tx.rollback();
    assert.deepEqual(await drainAll(ch), range(0, 6));
    await ch.stop();
  });

  test('headers and binary bodies are the same when read back from the data files', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    const sent: Event[] = [
      { headers: { host: 'h1', 'ключ': 'значение ✓', empty: '' }, body: Buffer.from([0, 255, 10, 13, 0x7f]) },
      { headers: {}, body: Buffer.alloc(0) },
      { headers: { timestamp: '1700000000000' }, body: Buffer.alloc(100_000, 7) },
    ];
    await put(ch, sent);
    await ch.stop();
    const again = makeChannel(d);
    await again.start();
    const got = await take(again, 10);
    assert.deepEqual(got.map((e) => ({ headers: e.headers, body: Buffer.from(e.body) })), sent);
    await again.stop();
  });

  test('a put larger than transactionCapacity fails at once, as does a take past it', async () => {
    const ch = makeChannel(dir(), { transactionCapacity: '10' });
    await ch.start();
    assert.throws(() => ch.beginPut().put(events(11), null), (e) => isSluiceError(e, 'SLUICE_CHANNEL_TX_CAPACITY'));
    await put(ch, events(10));
    await put(ch, events(10, 10));
    const tx = ch.beginTake();
    assert.equal((await tx.take(8)).length, 8);
    assert.equal((await tx.take(8)).length, 2, 'only 10 per transaction');
    await tx.commit();
    await ch.stop();
  });

  test('a full channel fails a put commit with SLUICE_CHANNEL_FULL after keep-alive, and takes make room', async () => {
    const ch = makeChannel(dir(), { capacity: '10', transactionCapacity: '10', 'keep-alive': '1' });
    await ch.start();
    await put(ch, events(10));
    const started = Date.now();
    await assert.rejects(put(ch, events(1, 10)), (e) => isSluiceError(e, 'SLUICE_CHANNEL_FULL'));
    assert.ok(Date.now() - started >= 900, 'waited keep-alive');
    const waiting = put(ch, events(1, 10));
    await delay(50);
    await take(ch, 1);
    await waiting;
    assert.equal(ch.size(), 10);
    await ch.stop();
  });

  test('a take on an empty channel waits up to waitMs for a put', async () => {
    const ch = makeChannel(dir());
    await ch.start();
    const tx = ch.beginTake();
    const pending = tx.take(10, 2000);
    await delay(20);
    await put(ch, events(2));
    assert.deepEqual(bodies(await pending), ['0', '1']);
    await tx.commit();
    const started = Date.now();
    assert.deepEqual(await ch.beginTake().take(10, 100), []);
    assert.ok(Date.now() - started >= 90);
    await ch.stop();
  });

  test('concurrent commits share one write and one fdatasync', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    await Promise.all(Array.from({ length: 20 }, (_, i) => put(ch, events(5, i * 5))));
    const written = frames(dataFiles(d).at(-1)!);
    assert.equal(
      written.reduce((n, f) => n + f.records, 0),
      20,
    );
    assert.ok(written.length <= 3, `20 commits took ${written.length} frames`);
    assert.equal((await drainAll(ch)).length, 100);
    await ch.stop();
  });

  test('data files are deleted once every event in them is taken and a checkpoint has passed', async () => {
    const d = dir();
    const ch = makeChannel(d, { maxFileSize: '4096', dataDirs: `${d}/data,${d}/data2` });
    await ch.start();
    for (let i = 0; i < 20; i++) await put(ch, events(10, i * 10, 100));
    assert.ok(dataFiles(d).length >= 3, `${dataFiles(d).length} files`);
    assert.ok(readdirSync(`${d}/data2`).length >= 3, 'new files rotate over the data directories');
    await take(ch, 150);
    await ch.checkpoint();
    assert.ok(dataFiles(d).length >= 1, 'files holding untaken events stay');
    assert.deepEqual(await drainAll(ch), range(150, 200));
    await ch.checkpoint();
    assert.equal(dataFiles(d).length + readdirSync(`${d}/data2`).filter((f) => f.startsWith('sluice-log-')).length, 1, 'only the file being written is left');
    await ch.stop();
  });

  test('a restart replays only what was written after the last checkpoint', async () => {
    const d = dir();
    const ch = makeChannel(d, { checkpointOnClose: 'false' });
    await ch.start();
    await put(ch, events(100, 0, 100));
    await ch.checkpoint();
    await put(ch, events(10, 100, 100));
    const crashed = makeLogged(copy(d));
    await crashed.ch.start();
    const replayed = crashed.lines.find((l) => l.msg.includes('started with'))!;
    assert.equal(replayed['events'], 110);
    assert.ok((replayed['replayedBytes'] as number) < 2000, `replayed ${replayed['replayedBytes']} bytes: only the last batch`);
    await crashed.ch.stop();
    const clean = makeLogged(crashed.dir);
    await clean.ch.start();
    assert.equal(clean.lines.find((l) => l.msg.includes('started with'))!['replayedBytes'], 0, 'checkpointOnClose: nothing to replay');
    await clean.ch.stop();
    await ch.stop();
  });

  test('a second channel on the same directories refuses to start', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    const other = makeChannel(d, {}, silentLogger, 'c2');
    await assert.rejects(other.start(), (e) => isSluiceError(e, 'SLUICE_CHANNEL_LOCKED') && /another file channel of this agent/.test(e.message));
    await ch.stop();
    await other.start();
    await other.stop();
  });

  test('a directory locked by a running process is refused; a lock left by a dead process is taken over', async () => {
    const d = dir();
    const holder = spawn('sleep', ['30']);
    cleanup.push(() => holder.kill('SIGKILL'));
    const ch = makeChannel(d);
    await ch.start();
    await ch.stop();
    writeFileSync(join(d, 'data', 'in_use.lock'), `${holder.pid}\n`);
    const refused = makeChannel(d);
    await assert.rejects(refused.start(), (e) => isSluiceError(e, 'SLUICE_CHANNEL_LOCKED') && e.message.includes(`process ${holder.pid}`));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const { logger, lines } = captureLogger();
    const taken = makeChannel(d, {}, logger);
    await taken.start();
    assert.ok(lines.some((l) => l.level === 40 && l.msg.includes('lock file left by a process')));
    await taken.stop();
    assert.equal(existsSync(join(d, 'data', 'in_use.lock')), false, 'stop releases the lock');
  });

  test('a directory holding an Apache Flume file channel is refused by name', async () => {
    const d = dir();
    const ch = makeChannel(d);
    await ch.start();
    await ch.stop();
    writeFileSync(join(d, 'data', 'log-3'), 'flume');
    await assert.rejects(makeChannel(d).start(), (e) => isSluiceError(e, 'SLUICE_CONFIG_BAD_VALUE') && /Apache Flume file channel \("log-3"\)/.test(e.message));
    assert.equal(existsSync(join(d, 'data', 'in_use.lock')), false, "Flume's directory was left as it was");
  });

  test('without fsyncPerTransaction commits still survive a process crash, and a checkpoint syncs the data first', async () => {
    const d = dir();
    const ch = makeChannel(d, { fsyncPerTransaction: 'false', checkpointOnClose: 'false' });
    await ch.start();
    await put(ch, events(30));
    await take(ch, 10);
    const crashed = makeChannel(copy(d));
    await crashed.start();
    assert.deepEqual(await drainAll(crashed), range(10, 30));
    await crashed.stop();
    await put(ch, events(5, 30));
    await ch.checkpoint();
    const restarted = makeChannel(copy(d));
    await restarted.start();
    assert.deepEqual(await drainAll(restarted), range(10, 35));
    await restarted.stop();
    await ch.stop();
  });

  test('encryption keys and useDualCheckpoints without backupCheckpointDir are configuration errors at load time', () => {
    const d = dir();
    const text = agentText(d, [
      'a1.channels.c1.useDualCheckpoints = true',
      'a1.channels.c1.encryption.activeKey = key-0',
      'a1.channels.c1.encryption.cipherProvider = AESCTRNOPADDING',
    ]);
    assert.throws(
      () => loadConfig({ files: ['f.properties'], agent: 'a1', text }),
      (e: ConfigErrors) => {
        assert.deepEqual(
          e.errors.map((x) => [x.code, x.key, x.line]),
          [
            ['SLUICE_CONFIG_UNSUPPORTED', 'a1.channels.c1.encryption.activeKey', 12],
            ['SLUICE_CONFIG_MISSING_KEY', 'a1.channels.c1.backupCheckpointDir', undefined],
          ],
        );
        assert.match(e.message, /clear text/);
        return true;
      },
    );
    const plan = loadConfig({ files: ['f.properties'], agent: 'a1', text: agentText(d, ['a1.channels.c1.use-fast-replay = true']) });
    assert.ok(plan.warnings.some((w) => w.key === 'a1.channels.c1.use-fast-replay' && w.code === 'SLUICE_CONFIG_UNSUPPORTED'));
    assert.equal(existsSync(`${d}/data`), false, 'nothing was created');
  });

  test('an agent moves seq → file → null with every event committed through the channel', async () => {
    const d = dir();
    const text = agentText(d, ['a1.sources.r1.batchSize = 100', 'a1.sources.r1.totalEvents = 5000', 'a1.sinks.k1.batchSize = 100']);
    const agent = new Agent(loadConfig({ files: ['f.properties'], agent: 'a1', text }), { logger: silentLogger });
    await agent.start();
    const counter = () => agent.metrics.toFlumeJson()['CHANNEL.c1']!;
    for (let i = 0; i < 200 && counter()['EventTakeSuccessCount'] !== '5000'; i++) await delay(50);
    assert.equal(counter()['EventPutSuccessCount'], '5000');
    assert.equal(counter()['EventTakeSuccessCount'], '5000');
    await agent.stop();
  });
});

function makeLogged(d: string) {
  const { logger, lines } = captureLogger();
  return { ch: makeChannel(d, {}, logger), lines, dir: d };
}
