import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, spawnChild } from '../helpers/peers.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, encoding: 'utf8' });
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function poll<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('agent command', () => {
  test('validate prints the wiring of a good file and exits 0', () => {
    const r = cli(['validate', '--conf', 'conf/flume.properties', '--name', 'agent1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /source gen \(seq\) → replicating → \[mem\]/);
  });

  test('validate lists every error with file, line and key, and exits non-zero', () => {
    const p = file('bad.properties', 'a1.sources = r1\na1.channels = c1\na1.sources.r1.type = seq\na1.sources.r1.channels = c2\na1.channels.c1.type = memory\na1.channels.c1.capacity = lots\n');
    const r = cli(['validate', '-f', p, '-n', 'a1']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.properties:4 a1\.sources\.r1\.channels: names channel "c2"/);
    assert.match(r.stderr, /bad\.properties:6 a1\.channels\.c1\.capacity: expected an integer ≥ 1, got "lots"/);
  });

  test('an unknown agent name lists the agents the file has', () => {
    const r = cli(['--conf', 'conf/flume.properties', '--name', 'nope']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no agent named "nope"; agents in this file: agent1/);
  });

  test('runs with flume-ng flags, serves Flume-shaped /metrics, and drains then exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const p = file('run.properties', [
      'a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1',
      'a1.sources.r1.type = seq', 'a1.sources.r1.totalEvents = 5000', 'a1.sources.r1.batchSize = 100', 'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory', 'a1.channels.c1.capacity = 10000',
      'a1.sinks.k1.type = null', 'a1.sinks.k1.channel = c1',
    ].join('\n'));
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '-f', p, '-n', 'a1', `-Dflume.monitoring.type=http`, `-Dflume.monitoring.port=${port}`], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const metrics = await poll(async () => {
      const m = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).json()) as Record<string, Record<string, string>>;
      return m['CHANNEL.c1']?.['EventTakeSuccessCount'] === '5000' ? m : undefined;
    });
    assert.equal(metrics['SOURCE.r1']!['EventAcceptedCount'], '5000');
    assert.equal(metrics['CHANNEL.c1']!['ChannelFillPercentage'], '0.0');
    assert.equal(typeof metrics['SINK.k1']!['EventDrainSuccessCount'], 'string');
    const prom = await (await fetch(`http://127.0.0.1:${port}/prometheus`)).text();
    assert.match(prom, /sluice_channel_event_take_success_count\{component="c1"\} 5000/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    // Bound to loopback by default: not reachable on the machine's other addresses.
    assert.match(stderr, /"host":"127\.0\.0\.1"[^\n]*Monitoring on/);
    const external = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal);
    if (external) await assert.rejects(fetch(`http://${external.address}:${port}/health`));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Agent stopped/);
  });
});
