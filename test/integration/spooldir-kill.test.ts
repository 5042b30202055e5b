// Kill -9 loops: a Sluice agent `spooldir → memory (capacity 100000) → file_roll (one event per batch)`
// is SIGKILLed at random points while it reads several files of 100k lines; after the last run every line
// must be in the output at least once. The same loop runs against a real Flume 1.11 agent, whose memory
// channel loses what it holds on every kill: its loss is printed as context, not asserted.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { makePeerDir, showPeerLogsOnFailure, spawnChild, startFlume } from '../helpers/peers.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const FILES = 4;
const LINES = 100_000;
const KILLS = 20;

showPeerLogsOnFailure();

/** Line `i` of file `f`: a unique id and some filler, about 60 bytes. */
const line = (f: number, i: number) => `f${f}-${String(i).padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz0123456789'.slice(0, 20 + (i % 17))}`;

function makeInput(spool: string): void {
  mkdirSync(spool, { recursive: true });
  for (let f = 0; f < FILES; f++) {
    const lines = Array.from({ length: LINES }, (_, i) => line(f, i));
    writeFileSync(join(spool, `input-${f}.log`), `${lines.join('\n')}\n`);
  }
}

function properties(agent: string, spool: string, out: string): string {
  return [
    `${agent}.sources = r`,
    `${agent}.channels = c`,
    `${agent}.sinks = k`,
    `${agent}.sources.r.type = spooldir`,
    `${agent}.sources.r.spoolDir = ${spool}`,
    `${agent}.sources.r.batchSize = 100`,
    `${agent}.sources.r.pollDelay = 200`,
    `${agent}.sources.r.channels = c`,
    `${agent}.channels.c.type = memory`,
    `${agent}.channels.c.capacity = 100000`,
    `${agent}.channels.c.transactionCapacity = 1000`,
    `${agent}.sinks.k.type = file_roll`,
    `${agent}.sinks.k.channel = c`,
    `${agent}.sinks.k.sink.directory = ${out}`,
    `${agent}.sinks.k.sink.rollInterval = 0`,
    `${agent}.sinks.k.sink.batchSize = 1`,
    '',
  ].join('\n');
}

function outputBytes(out: string): number {
  if (!existsSync(out)) return 0;
  return readdirSync(out).reduce((n, f) => n + statSync(join(out, f)).size, 0);
}

function completed(spool: string): number {
  return readdirSync(spool).filter((f) => f.endsWith('.COMPLETED')).length;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await delay(50);
  }
}

/** Waits until the output has grown by at least `by` bytes since `since`, then a random while longer. */
async function grownThenRandom(out: string, since: number, by: number, what: string): Promise<void> {
  await waitFor(`${what} wrote more output`, () => outputBytes(out) >= since + by, 120_000);
  await delay(Math.random() * 1500);
}

interface Tally {
  lines: number;
  unique: number;
  duplicates: number;
  missing: number;
  torn: number;
}

function tally(out: string): Tally {
  const counts = new Map<string, number>();
  let lines = 0;
  let torn = 0;
  for (const f of readdirSync(out)) {
    for (const l of readFileSync(join(out, f), 'utf8').split('\n')) {
      if (l === '') continue;
      lines++;
      if (!/^f\d-\d{6} [a-z0-9]+$/.test(l)) torn++;
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
  }
  let missing = 0;
  for (let f = 0; f < FILES; f++) for (let i = 0; i < LINES; i++) if (!counts.has(line(f, i))) missing++;
  return { lines, unique: counts.size, duplicates: lines - counts.size, missing, torn };
}

class SluiceChild {
  private proc: ChildProcess | undefined;
  constructor(
    private readonly conf: string,
    private readonly log: string,
  ) {}

  start(): void {
    const fd = openSync(this.log, 'a');
    this.proc = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--conf', this.conf, '--name', 'a'], { cwd: repo, stdio: ['ignore', fd, fd] });
    closeSync(fd);
  }

  async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc!;
    if (p.exitCode === null && p.signalCode === null) {
      p.kill(sig);
      await once(p, 'exit');
    }
    this.proc = undefined;
  }

  logTail(): string {
    return readFileSync(this.log, 'utf8').split('\n').slice(-40).join('\n');
  }
}

test('a Sluice agent killed -9 twenty times loses no line; a Flume agent under the same loop is measured', { timeout: 30 * 60_000 }, async () => {
  const dir = makePeerDir('spooldir-kill');
  const spool = join(dir, 'sluice-spool');
  const out = join(dir, 'sluice-out');
  makeInput(spool);
  const conf = join(dir, 'sluice.properties');
  writeFileSync(conf, properties('a', spool, out));
  const agent = new SluiceChild(conf, join(dir, 'sluice.log'));

  let kills = 0;
  try {
    for (let since = 0; kills < KILLS; kills++) {
      agent.start();
      await grownThenRandom(out, since, 4096, 'the Sluice agent');
      await agent.signal('SIGKILL');
      since = outputBytes(out);
      assert.ok(completed(spool) < FILES, `all files were done after ${kills + 1} kills: the loop did not interrupt enough work`);
    }
    agent.start();
    await waitFor('every input file is delivered and renamed', () => completed(spool) === FILES, 10 * 60_000);
    await agent.signal('SIGTERM');
  } catch (err) {
    await agent.signal('SIGKILL').catch(() => undefined);
    throw new Error(`${(err as Error).message}\n--- Sluice agent log ---\n${agent.logTail()}`);
  }
  const sluice = tally(out);
  console.log(`Sluice, ${kills} SIGKILLs over ${FILES * LINES} lines: ${sluice.missing} lost, ${sluice.duplicates} duplicates, ${sluice.torn} torn lines`);
  assert.equal(sluice.missing, 0, 'every line is in the output at least once');
  assert.equal(sluice.torn, 0, 'no partial lines');

  // The same loop against Apache Flume 1.11: its memory channel drops what it holds at each kill.
  const fdir = join(dir, 'flume');
  const fspool = join(fdir, 'spool');
  const fout = join(fdir, 'out');
  makeInput(fspool);
  mkdirSync(fout, { recursive: true });
  const flume = await startFlume(properties('a', fspool, fout), 'a', { dir: fdir });
  let fkills = 0;
  for (let since = 0; fkills < KILLS && completed(fspool) < FILES; fkills++) {
    if (fkills > 0) await flume.restart();
    await grownThenRandom(fout, since, 4096, 'the Flume agent');
    await flume.kill();
    since = outputBytes(fout);
  }
  await flume.restart();
  await waitFor('Flume renamed every input file', () => completed(fspool) === FILES, 10 * 60_000);
  await waitFor('Flume drained its channel', async () => (await flume.metrics())['CHANNEL.c']?.['ChannelSize'] === '0', 5 * 60_000);
  await flume.stop();
  const f = tally(fout);
  console.log(`Flume 1.11, ${fkills} SIGKILLs over ${FILES * LINES} lines: ${f.missing} lost, ${f.duplicates} duplicates, ${f.torn} torn lines`);
});
