// Smoke test of the benchmark harness (`npm run bench -- --quick`): it starts real agents, counts their
// events from outside, and writes its outputs. It asserts that figures were measured, never how fast.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../bench/harness/report.ts';
import { spawnChild } from '../helpers/peers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'sluice-bench-quick-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** Runs bench/run.ts with the given arguments; resolves with its exit code and output. */
function bench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out, ...args], { cwd: root });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function latestReport(): Report {
  const dir = join(out, 'bench', 'results');
  const newest = readdirSync(dir).sort().at(-1)!;
  return JSON.parse(readFileSync(join(dir, newest), 'utf8')) as Report;
}

test('a quick run of scenario 1 measures Sluice and Flume side by side and records the table and chart', { timeout: 300_000 }, async () => {
  const { code, output } = await bench(['--impl', 'both', '--record', 's1']);
  assert.equal(code, 0, output);
  const report = latestReport();
  assert.equal(report.scenarios.length, 1);
  const s1 = report.scenarios[0]!;
  assert.equal(s1.status, 'ok', output);
  for (const impl of ['sluice', 'flume'] as const) {
    const [run] = s1.runs[impl]!;
    assert.ok(run!.rated && run!.windowEvents > 0, `${impl} counted events in its window`);
    assert.ok(run!.eventsPerSec > 0 && run!.cpuSecPerMillion > 0, `${impl} has a rate and a CPU cost`);
    assert.ok(run!.peakRssMB > 20, `${impl} peak RSS ${run!.peakRssMB} MB was read from /proc`);
    assert.ok(run!.loadAverage.end >= 0);
  }
  assert.match(output, /s1 stress → memory → null\s+sluice/);
  const md = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8');
  assert.match(md, /^# Benchmarks/);
  assert.match(md, /\| s1 stress → memory → null \| flume \|/);
  const chart = /!\[[^\]]*\]\((docs\/bench\/[^)]+\.svg)\)/.exec(md);
  assert.ok(chart, 'the entry links its chart');
  const svg = readFileSync(join(out, chart[1]!), 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<rect x="[\d.]+" y="[\d.]+" width="40"/g) ?? []).length, 2, 'one bar for Sluice, one for Flume');
});

test('a quick run of the avro hop starts the receiver before the sender and measures the batch latency', { timeout: 300_000 }, async () => {
  const { code, output } = await bench(['s4']);
  assert.equal(code, 0, output);
  const s4 = latestReport().scenarios[0]!;
  assert.equal(s4.id, 's4');
  const [run] = s4.runs.sluice!;
  assert.deepEqual(Object.keys(run!.rssByRole), ['receiver', 'sender']);
  assert.ok(run!.latencyMs && run!.latencyMs.samples > 0, 'probe answers arrived within the window');
  assert.ok(run!.latencyMs.p99 >= run!.latencyMs.p50);
  assert.equal(s4.runs.flume, undefined, '--quick runs Sluice alone unless told otherwise');
});
