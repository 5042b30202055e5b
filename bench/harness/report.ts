/**
 * The benchmark's outputs: a table on the terminal, the full results as JSON (bench/results/), and a
 * dated entry appended to BENCHMARKS.md that describes the machine and links the chart.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Impl } from './agents.ts';
import type { Machine } from './procfs.ts';
import type { ImplSummary, ScenarioSummary, Spread } from './summary.ts';
import { TARGET_RSS, TARGET_THROUGHPUT } from './summary.ts';

export interface Report {
  /** ISO time the run started. */
  date: string;
  command: string;
  machine: Machine;
  runsPerAgent: number;
  sluiceBuild: string;
  scenarios: ScenarioSummary[];
  notes: string[];
}

export function formatRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)} k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

const num = (n: number) => (n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const withRange = (s: Spread, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function cells(s: ImplSummary): string[] {
  const latency = s.latencyP50Ms && s.latencyP99Ms ? `${num(s.latencyP50Ms.median)} / ${num(s.latencyP99Ms.median)}` : '—';
  return [
    withRange(s.eventsPerSec, formatRate),
    num(s.mbPerSec.median),
    num(s.cpuSecPerMillion.median),
    withRange(s.peakRssMB, (n) => String(Math.round(n))),
    latency,
    `${num(s.loadAverage.min)}–${num(s.loadAverage.max)}`,
  ];
}

const HEADER = ['scenario', 'agent', 'events/s median (min–max)', 'MB/s', 'CPU s / M events', 'peak RSS MB (min–max)', 'batch latency p50 / p99 ms', 'load avg', 'Sluice ÷ Flume'];

/** Rows of the table: one per scenario and agent, or one saying why a scenario has no figures. */
function rows(r: Report): string[][] {
  const out: string[][] = [];
  for (const sc of r.scenarios) {
    const name = `${sc.id} ${sc.title}`;
    const impls = (['sluice', 'flume'] as Impl[]).filter((i) => sc.summary[i] || sc.errors[i]);
    if (impls.length === 0) {
      out.push([name, '—', sc.status === 'ok' ? 'too short to rate' : sc.status, ...Array(HEADER.length - 4).fill(''), sc.note ?? '']);
      continue;
    }
    for (const impl of impls) {
      const s = sc.summary[impl];
      const ratio = impl === 'sluice' && sc.ratios ? ratioText(sc) : '';
      if (s) out.push([name, impl, ...cells(s), ratio]);
      else out.push([name, impl, 'failed', ...Array(HEADER.length - 4).fill(''), firstLine(sc.errors[impl])]);
    }
  }
  return out;
}

function ratioText(sc: ScenarioSummary): string {
  const r = sc.ratios!;
  return `${r.throughput.toFixed(2)}× events/s ${r.throughputMet ? '✓' : '✗'}, ${r.rss.toFixed(2)}× RSS ${r.rssMet ? '✓' : '✗'}`;
}

const firstLine = (s: string | undefined) => (s ?? '').split('\n')[0]!.slice(0, 160);

export function textTable(r: Report): string {
  const table = [HEADER, ...rows(r)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => row.map((cell, c) => (cell ?? '').padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n');
}

export function markdownTable(r: Report): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const line = (row: string[]) => `| ${row.map((c) => esc(c ?? '')).join(' | ')} |`;
  return [line(HEADER), `|${HEADER.map(() => '---').join('|')}|`, ...rows(r).map(line)].join('\n');
}

export function writeJson(r: Report, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${r.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
}

const PREAMBLE = `# Benchmarks

Sluice and Apache Flume 1.11 run the same properties files (\`test/peers/flume/bench/\`) one after the other
on the same machine, taking turns run by run. \`npm run bench\` runs every scenario and appends an entry here;
\`npm run bench -- --help\` lists its options. Events are counted at the measured channel's
\`EventTakeSuccessCount\` on each agent's \`/metrics\`, between 10 % and 90 % of the run's events; CPU is
utime + stime of every agent process of the scenario over that window (2 cores = 2 CPU-s/s); peak RSS is the
sum of the processes' VmHWM; batch latency is the answer time of a 100-event \`appendBatch\` the harness sends
to the receiving avro source every 100 ms during the window. Targets: Sluice events/s ≥ ${TARGET_THROUGHPUT} × Flume's,
peak RSS ≤ ${Math.round(TARGET_RSS * 100) / 100} of Flume's.
`;

/** Appends the run's entry to BENCHMARKS.md (created with its method preamble if absent). */
export function appendEntry(r: Report, benchmarksFile: string, chartFile: string): void {
  if (!existsSync(benchmarksFile)) writeFileSync(benchmarksFile, PREAMBLE);
  const m = r.machine;
  const chart = relative(dirname(benchmarksFile), chartFile);
  const entry = [
    '',
    `## ${r.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.java}. ` +
      `Sluice from \`${r.sluiceBuild}\`, Flume 1.11.0 with \`-Xmx1g\`; ${r.runsPerAgent} run(s) per agent.`,
    '',
    `Command: \`${r.command}\``,
    '',
    markdownTable(r),
    '',
    `![Sluice and Flume events/s per scenario](${chart})`,
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
  ];
  appendFileSync(benchmarksFile, entry.join('\n'));
}
