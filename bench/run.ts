/**
 * `npm run bench`: every scenario through Sluice and through Apache Flume 1.11 with the same
 * properties, then a table, a JSON file under bench/results/, and an entry with a chart appended to
 * BENCHMARKS.md. `npm run bench -- --help` for the options.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Impl, repoRoot, type SluiceBuild } from './harness/agents.ts';
import { chartSvg } from './harness/chart.ts';
import { describeMachine } from './harness/procfs.ts';
import { appendEntry, type Report, textTable, writeJson } from './harness/report.ts';
import { type Outcome, runScenario, type Scenario } from './harness/scenario.ts';
import { summarizeOutcome } from './harness/summary.ts';
import { s1 } from './scenarios/s1-stress-memory-null.ts';
import { s2 } from './scenarios/s2-spooldir-memory-null.ts';
import { s3 } from './scenarios/s3-spooldir-file-null.ts';
import { s4, s4d } from './scenarios/s4-avro-hop.ts';
import { s5 } from './scenarios/s5-stress-memory-kafka.ts';
import { s6 } from './scenarios/s6-stress-memory-hdfs.ts';
import { s7 } from './scenarios/s7-fan-in.ts';
import { s8 } from './scenarios/s8-kafka-memory-null.ts';

const scenarios: Scenario[] = [s1, s2, s3, s4, s4d, s5, s6, s7, s8];

const usage = `npm run bench -- [options] [scenario ids, e.g. s1 s4]

  --quick            smoke run: small event counts, 1 run, Sluice only from src/, nothing recorded;
                     scenarios needing a Kafka or HDFS peer only when named
  --runs N           runs per agent (default 3; 1 with --quick)
  --impl WHICH       sluice, flume or both (default both; sluice with --quick)
  --sluice BUILD     dist (compiled, built first when src/ is newer; the default) or src (tsx)
  --cpu-prof DIR     run Sluice with --cpu-prof, writing its profiles to DIR
  --node-flags TEXT  more flags for Sluice's node, space-separated (e.g. "--max-old-space-size=256")
  --note TEXT        a note for the BENCHMARKS.md entry (repeatable)
  --record           append to BENCHMARKS.md and write the chart (the default without --quick)
  --no-record        do not
  --out DIR          where bench/results/, BENCHMARKS.md and docs/bench/ go (default: the repository)`;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    impl: { type: 'string' },
    sluice: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'node-flags': { type: 'string' },
    note: { type: 'string', multiple: true, default: [] },
    record: { type: 'boolean' },
    'no-record': { type: 'boolean', default: false },
    out: { type: 'string', default: repoRoot },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(usage);
  process.exit(0);
}

const quick = flags.quick;
const runs = Number(flags.runs ?? (quick ? 1 : 3));
const implFlag = flags.impl ?? (quick ? 'sluice' : 'both');
const build = (flags.sluice ?? (quick ? 'src' : 'dist')) as SluiceBuild;
const record = !flags['no-record'] && (flags.record ?? !quick);
const unknown = positionals.filter((id) => !scenarios.some((s) => s.id === id));
if (!(runs >= 1) || !['sluice', 'flume', 'both'].includes(implFlag) || !['dist', 'src'].includes(build) || unknown.length > 0) {
  console.error(`${unknown.length ? `Unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}.\n` : ''}${usage}`);
  process.exit(2);
}
const impls: Impl[] = implFlag === 'both' ? ['sluice', 'flume'] : [implFlag as Impl];

/** Newest modification time under a directory, in ms. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// Production runs compiled JavaScript; rebuild when a source file changed since the last build.
function ensureBuilt(): void {
  const cli = join(repoRoot, 'dist', 'cli.js');
  const built = statSync(cli, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built >= newest(join(repoRoot, 'src'))) return;
  console.log('Building Sluice (npm run build): src/ changed since dist/ was built ...');
  const r = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  // tsc still emits when it reports type errors; what matters is that dist/ is fresh.
  if ((statSync(cli, { throwIfNoEntry: false })?.mtimeMs ?? 0) <= built) {
    throw new Error(`npm run build did not produce ${cli}:\n${r.stdout}${r.stderr}`);
  }
  if (r.status !== 0) console.log(`npm run build reported errors (dist/ was written anyway):\n${r.stdout.split('\n').slice(-10).join('\n')}`);
}

const selected = scenarios.filter((s) => (positionals.length ? positionals.includes(s.id) : !(quick && s.peer)));
if (impls.includes('sluice') && build === 'dist') ensureBuilt();
const date = new Date().toISOString();
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const outcomes: Outcome[] = [];
for (const sc of selected) {
  const agent = {
    build,
    ...(flags['cpu-prof'] ? { cpuProfDir: flags['cpu-prof'] } : {}),
    ...(flags['node-flags'] ? { nodeFlags: flags['node-flags'].split(/\s+/).filter(Boolean) } : {}),
  };
  outcomes.push(await runScenario(sc, { impls, runs, quick, agent, log }));
}

const summaries = outcomes.map(summarizeOutcome);
const skipped = quick && positionals.length === 0 ? scenarios.filter((s) => s.peer).map((s) => `${s.id} (needs ${s.peer})`) : [];
const report: Report = {
  date,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: describeMachine(),
  runsPerAgent: runs,
  sluiceBuild: `${build === 'dist' ? 'node dist/cli.js' : 'tsx src/cli.ts'}${flags['node-flags'] ? ` (node ${flags['node-flags']})` : ''}`,
  scenarios: summaries,
  notes: [
    ...flags.note,
    ...(skipped.length ? [`Skipped by --quick: ${skipped.join(', ')}.`] : []),
    ...summaries.filter((s) => s.status !== 'ok').map((s) => `${s.id}: ${s.status}${s.note ? ` (${s.note})` : ''}.`),
    ...summaries.flatMap((s) => Object.entries(s.errors).map(([impl, e]) => `${s.id} ${impl} failed: ${e!.split('\n')[0]}`)),
  ],
};

console.log(`\n${textTable(report)}\n`);
console.log(`Results: ${writeJson(report, join(flags.out, 'bench', 'results'))}`);
if (record) {
  const chart = join(flags.out, 'docs', 'bench', `${date.slice(0, 16).replace(/:/g, '')}.svg`);
  mkdirSync(join(flags.out, 'docs', 'bench'), { recursive: true });
  writeFileSync(chart, chartSvg(summaries, `Sluice vs Apache Flume 1.11, ${date.slice(0, 10)}, ${report.machine.cores} cores`));
  appendEntry(report, join(flags.out, 'BENCHMARKS.md'), chart);
  console.log(`Recorded: ${join(flags.out, 'BENCHMARKS.md')} and ${chart}`);
}
process.exit(summaries.some((s) => s.status === 'failed' || Object.keys(s.errors).length > 0) ? 1 : 0);
