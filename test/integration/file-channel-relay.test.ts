// A Sluice relay with a file channel between two Apache Flume 1.11 agents, killed -9 while events flow:
// upstream Flume (seq → memory → avro sink) → Sluice (avro source → file channel → avro sink) → downstream
// Flume (avro source → memory → file_roll). Upstream keeps every batch the relay has not answered and
// resends it; what the relay answered is in its file channel. After the last restart every sequence number
// must reach the downstream files at least once.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type FlumePeer, freePort, makePeerDir, showPeerLogsOnFailure, spawnChild, startFlume } from '../helpers/peers.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const TOTAL = 300_000;
const KILLS = 6;

showPeerLogsOnFailure();

const peers: FlumePeer[] = [];
after(async () => {
  for (const p of peers) await p.stop();
});

function bytesIn(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) : 0;
}

/** How many of 0..TOTAL-1 the downstream files hold, and how many lines they hold in all. */
function received(dir: string): { unique: number; lines: number } {
  const seen = new Uint8Array(TOTAL);
  let unique = 0;
  let lines = 0;
  for (const f of readdirSync(dir)) {
    for (const l of readFileSync(join(dir, f), 'latin1').split('\n')) {
      if (l === '') continue;
      lines++;
      const n = Number(l);
      if (Number.isInteger(n) && n >= 0 && n < TOTAL && seen[n] === 0) {
        seen[n] = 1;
        unique++;
      }
    }
  }
  return { unique, lines };
}

async function waitFor(what: string, check: () => boolean, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}\n--- Sluice relay log ---\n${log()}`);
    await delay(100);
  }
}

test(`a Sluice relay with a file channel, killed -9 ${KILLS} times between two Flume agents, loses no event`, { timeout: 15 * 60_000 }, async () => {
  const dir = makePeerDir('file-channel-relay');
  const out = join(dir, 'out');
  mkdirSync(out);
  const [relayPort, downPort] = [await freePort(), await freePort()];

  const down = await startFlume(
    [
      'd.sources = r',
      'd.channels = c',
      'd.sinks = k',
      'd.sources.r.type = avro',
      'd.sources.r.bind = 127.0.0.1',
      `d.sources.r.port = ${downPort}`,
      'd.sources.r.channels = c',
      'd.channels.c.type = memory',
      'd.channels.c.capacity = 100000',
      'd.channels.c.transactionCapacity = 1000',
      'd.sinks.k.type = file_roll',
      `d.sinks.k.sink.directory = ${out}`,
      'd.sinks.k.sink.rollInterval = 0',
      'd.sinks.k.sink.batchSize = 1000',
      'd.sinks.k.channel = c',
      '',
    ].join('\n'),
    'd',
    { dir: join(dir, 'down'), waitForPorts: [downPort] },
  );
  peers.push(down);

  const conf = join(dir, 'relay.properties');
  writeFileSync(
    conf,
    [
      'r.sources = in',
      'r.channels = fc',
      'r.sinks = out',
      'r.sources.in.type = avro',
      'r.sources.in.bind = 127.0.0.1',
      `r.sources.in.port = ${relayPort}`,
      'r.sources.in.channels = fc',
      'r.channels.fc.type = file',
      `r.channels.fc.checkpointDir = ${join(dir, 'relay', 'checkpoint')}`,
      `r.channels.fc.dataDirs = ${join(dir, 'relay', 'data')}`,
      'r.channels.fc.checkpointInterval = 2000',
      'r.channels.fc.transactionCapacity = 1000',
      'r.sinks.out.type = avro',
      'r.sinks.out.hostname = 127.0.0.1',
      `r.sinks.out.port = ${downPort}`,
      'r.sinks.out.batch-size = 500',
      'r.sinks.out.channel = fc',
      '',
    ].join('\n'),
  );
  const relayLog = join(dir, 'relay.log');
  const logTail = () => (existsSync(relayLog) ? readFileSync(relayLog, 'utf8').split('\n').slice(-40).join('\n') : '');
  let relay: ChildProcess | undefined;
  const startRelay = () => {
    const fd = openSync(relayLog, 'a');
    relay = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--conf', conf, '--name', 'r'], { cwd: repo, stdio: ['ignore', fd, fd] });
    closeSync(fd);
  };
  const stopRelay = async (signal: NodeJS.Signals) => {
    const p = relay!;
    relay = undefined;
    if (p.exitCode !== null || p.signalCode !== null) throw new Error(`the relay had exited (${p.exitCode ?? p.signalCode})\n${logTail()}`);
    p.kill(signal);
    await once(p, 'exit');
  };

  startRelay();
  const up = await startFlume(
    [
      'u.sources = r',
      'u.channels = c',
      'u.sinks = k',
      'u.sources.r.type = seq',
      `u.sources.r.totalEvents = ${TOTAL}`,
      'u.sources.r.batchSize = 500',
      'u.sources.r.channels = c',
      'u.channels.c.type = memory',
      `u.channels.c.capacity = ${TOTAL}`,
      'u.channels.c.transactionCapacity = 1000',
      'u.sinks.k.type = avro',
      'u.sinks.k.hostname = 127.0.0.1',
      `u.sinks.k.port = ${relayPort}`,
      'u.sinks.k.batch-size = 500',
      'u.sinks.k.channel = c',
      '',
    ].join('\n'),
    'u',
    { dir: join(dir, 'up') },
  );
  peers.push(up);

  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const since = bytesIn(out);
      await waitFor('the downstream agent receives more events', () => bytesIn(out) > since + 20_000, 180_000, logTail);
      await delay(Math.random() * 1000);
      await stopRelay('SIGKILL');
      assert.ok(received(out).unique < TOTAL, `every event had arrived after ${kill + 1} kills: the loop interrupted too little`);
      startRelay();
    }
    await waitFor(`all ${TOTAL} events reach the downstream files`, () => received(out).unique === TOTAL, 300_000, logTail);
    await stopRelay('SIGTERM');
  } finally {
    if (relay) await stopRelay('SIGKILL').catch(() => undefined);
  }
  const r = received(out);
  console.log(`Sluice relay, ${KILLS} SIGKILLs over ${TOTAL} events: ${TOTAL - r.unique} lost, ${r.lines - r.unique} duplicates`);
  assert.equal(r.unique, TOTAL);
});
