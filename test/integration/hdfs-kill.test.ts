// Crash tests of the hdfs sink against a real HDFS: the agent (spooldir -> memory -> hdfs, run as the CLI) is
// SIGKILLed mid-batch again and again, and in another run HDFS itself is down for 10 s. Spooldir advances only
// over delivered events, so every line must end up in HDFS exactly as written (no torn lines), duplicates are
// counted, and after a clean restart no in-use file is left.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WebHdfs } from '../../src/sinks/hdfs/webhdfs.ts';
import { type HdfsPeer, makePeerDir, showPeerLogsOnFailure, spawnChild, startHdfs } from '../helpers/peers.ts';

showPeerLogsOnFailure();

const FILES = 12;
const LINES = 2500;
const root = new URL('../..', import.meta.url).pathname;

let hdfs: HdfsPeer;
let fs: WebHdfs;
before(async () => {
  // A restart on a busy two-core machine can take a minute or more (two JVM services, safe mode).
  hdfs = await startHdfs({ startTimeoutMs: 300_000 });
  fs = new WebHdfs({ urls: [hdfs.httpUrl], timeoutMs: 30_000 });
}, { timeout: 10 * 60_000 });
after(async () => {
  fs?.close();
  await hdfs?.stop();
});

/** A spool directory of FILES files of LINES unique lines, and the agent's properties writing to `path`. */
function setup(path: string): { dir: string; spool: string; conf: string } {
  const dir = makePeerDir('hdfs-kill');
  const spool = join(dir, 'spool');
  mkdirSync(spool);
  for (let f = 0; f < FILES; f++) {
    const body = Array.from({ length: LINES }, (_, i) => `event-${f}-${i} ${'x'.repeat(80)}`).join('\n');
    writeFileSync(join(spool, `part-${String(f).padStart(3, '0')}.log`), `${body}\n`);
  }
  const conf = join(dir, 'agent.properties');
  const props = {
    'a1.sources': 'r1',
    'a1.channels': 'c1',
    'a1.sinks': 'k1',
    'a1.sources.r1.type': 'spooldir',
    'a1.sources.r1.spoolDir': spool,
    'a1.sources.r1.batchSize': '100',
    'a1.sources.r1.channels': 'c1',
    'a1.channels.c1.type': 'memory',
    'a1.channels.c1.capacity': '5000',
    'a1.channels.c1.transactionCapacity': '100',
    'a1.sinks.k1.type': 'hdfs',
    'a1.sinks.k1.channel': 'c1',
    'a1.sinks.k1.hdfs.path': path,
    'a1.sinks.k1.hdfs.webhdfs.url': hdfs.httpUrl,
    'a1.sinks.k1.hdfs.fileType': 'DataStream',
    'a1.sinks.k1.hdfs.batchSize': '100',
    'a1.sinks.k1.hdfs.rollCount': '7000',
    'a1.sinks.k1.hdfs.rollSize': '0',
    'a1.sinks.k1.hdfs.rollInterval': '0',
    'a1.sinks.k1.hdfs.retryInterval': '2',
    'a1.sinks.k1.hdfs.callTimeout': '10000',
  };
  writeFileSync(conf, Object.entries(props).map(([k, v]) => `${k} = ${v}`).join('\n'));
  return { dir, spool, conf };
}

/** Runs the agent CLI; resolves once it logged that it started. */
async function startAgent(conf: string): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--conf', conf, '--name', 'a1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Agent started')) {
    assert.ok(child.exitCode === null && Date.now() < deadline, `the agent did not start:\n${out.slice(-3000)}`);
    await delay(50);
  }
  return { child, log: () => out };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

const completed = (spool: string) => readdirSync(spool).filter((n) => n.endsWith('.COMPLETED')).length;

async function until(what: string, done: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `timed out after ${ms} ms waiting until ${what}`);
    await delay(250);
  }
}

/** Runs the agent to the end of the spool directory, stops it, then restarts and stops it once more (clean). */
async function finishCleanly(conf: string, spool: string, path: string): Promise<void> {
  const last = await startAgent(conf);
  await until('every spooled file was delivered', () => completed(spool) === FILES, 180_000);
  last.child.kill('SIGTERM');
  await exited(last.child);
  const clean = await startAgent(conf);
  await until('no in-use file is left', async () => !(await fs.list(path)).some((s) => s.pathSuffix.endsWith('.tmp')), 150_000);
  clean.child.kill('SIGTERM');
  await exited(clean.child);
}

/** Every line HDFS holds under `path`: all expected ones present, none torn; returns the duplicates. */
async function check(path: string): Promise<number> {
  const names = (await fs.list(path)).map((s) => s.pathSuffix);
  assert.ok(names.length > 0 && names.every((n) => !n.endsWith('.tmp')), `files: ${names.join(', ')}`);
  const lines = (await hdfs.readText(`${path}/*`)).split('\n').filter((l) => l !== '');
  const torn = lines.filter((l) => !/^event-\d+-\d+ x{80}$/.test(l));
  assert.deepEqual(torn.slice(0, 5), [], 'no line is torn or mixed with another');
  const seen = new Set(lines);
  const missing: string[] = [];
  for (let f = 0; f < FILES; f++) for (let i = 0; i < LINES; i++) if (!seen.has(`event-${f}-${i} ${'x'.repeat(80)}`)) missing.push(`event-${f}-${i}`);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} events were lost`);
  return lines.length - seen.size;
}

describe('hdfs sink crash safety', { timeout: 15 * 60_000 }, () => {
  test('SIGKILL of the agent mid-batch, five times: nothing lost, nothing torn, no in-use file after a clean restart', async (t) => {
    const path = '/kill/agent';
    const { conf, spool } = setup(path);
    let kills = 0;
    for (; kills < 5 && completed(spool) < FILES; kills++) {
      const a = await startAgent(conf);
      // Wait for writes to be under way, then kill at a random moment within them.
      await until('the sink writes', async () => (await fs.status(path)) !== undefined, 60_000);
      await delay(200 + Math.random() * 1200);
      a.child.kill('SIGKILL');
      await exited(a.child);
    }
    await finishCleanly(conf, spool, path);
    const duplicates = await check(path);
    t.diagnostic(`${kills} kills; ${duplicates} duplicate events of ${FILES * LINES}`);
  });

  test('HDFS down for 10 s mid-run: the batches wait in the channel, nothing is lost or torn', async (t) => {
    const path = '/kill/namenode';
    const { conf, spool } = setup(path);
    const a = await startAgent(conf);
    await until('the sink writes', async () => (await fs.status(path)) !== undefined, 60_000);
    await delay(500);
    await hdfs.kill();
    await delay(10_000);
    await hdfs.restart();
    await until('every spooled file was delivered', () => completed(spool) === FILES, 240_000);
    assert.match(a.log(), /failed/i, 'the outage was noticed');
    a.child.kill('SIGTERM');
    await exited(a.child);
    await finishCleanly(conf, spool, path);
    const duplicates = await check(path);
    t.diagnostic(`${duplicates} duplicate events of ${FILES * LINES}`);
  });
});
