/**
 * spooldir → memory → null on one large file of 500-byte lines (Flume's S2 scenario: a 10-digit
 * counter, a space, 488 base64 characters of random bytes, `\n`; batch 1000, capacity 100000).
 * Each scenario runs in a child process of its own so its peak RSS is its own. CPU seconds per million
 * lines are printed too: on a shared machine they vary less than the rate. The file is made once
 * (page-cached by the first run), renamed into the spooling directory once the agent runs, and timed
 * until the source has renamed it to `.COMPLETED`, i.e. until every line is delivered.
 *
 * Scenarios: `acks` as shipped (the source waits for the null sink's commits), and `no-acks`, where
 * the memory channel is flagged durable so tokens resolve at put commit: the difference is the cost
 * of end-to-end acknowledgements.
 *
 *   npx tsx bench/spooldir-memory-null.bench.ts [MiB, default 1024] [runs per scenario, default 1]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from '../src/agent/agent.ts';
import { loadConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';

type Scenario = 'acks' | 'no-acks';

const root = join(tmpdir(), 'sluice-spooldir-bench');
const staged = join(root, 'data.log');

/** Writes `mib` MiB of S2-style lines, unless a file of that size is already there. */
async function makeData(mib: number): Promise<number> {
  const bytes = mib * 1024 * 1024;
  const lines = Math.floor(bytes / 500);
  if (existsSync(staged) && statSync(staged).size === lines * 500) return lines;
  mkdirSync(root, { recursive: true });
  const fh = await open(staged, 'w');
  const perChunk = 20_000;
  for (let i = 0; i < lines; i += perChunk) {
    const n = Math.min(perChunk, lines - i);
    const chunk = Buffer.allocUnsafe(n * 500);
    for (let j = 0; j < n; j++) {
      const at = j * 500;
      chunk.write(String(i + j).padStart(10, '0'), at, 'latin1');
      chunk[at + 10] = 0x20;
      chunk.write(randomBytes(366).toString('base64'), at + 11, 'latin1');
      chunk[at + 499] = 0x0a;
    }
    await fh.write(chunk);
  }
  await fh.close();
  return lines;
}

async function child(scenario: Scenario, spool: string): Promise<void> {
  const text = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = spooldir
a1.sources.r1.spoolDir = ${spool}
a1.sources.r1.batchSize = 1000
a1.sources.r1.pollDelay = 100
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = null
a1.sinks.k1.batchSize = 1000
a1.sinks.k1.logEveryNEvents = 0
a1.sinks.k1.channel = c1
`;
  const agent = new Agent(loadConfig({ files: ['bench'], agent: 'a1', text }), { logger: silentLogger });
  await agent.start();
  if (scenario === 'no-acks') Object.defineProperty(agent.running!.channels.get('c1')!, 'durable', { value: true });
  const input = join(spool, 'data.log');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  renameSync(staged, input);
  while (!existsSync(`${input}.COMPLETED`)) await new Promise((r) => setTimeout(r, 5));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const events = Number(agent.metrics.toFlumeJson()['SINK.k1']!['EventDrainSuccessCount']);
  await agent.stop(0);
  renameSync(`${input}.COMPLETED`, staged);
  process.send!({ secs, events, cpu: (cpu.user + cpu.system) / 1e6, rss: process.resourceUsage().maxRSS / 1024 });
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 1024);
  const runs = Number(process.argv[3] ?? 1);
  const lines = await makeData(mib);
  const bytes = lines * 500;
  console.log(`spooldir → memory → null, one file of ${lines.toLocaleString('en')} lines (${(bytes / 1e6).toFixed(0)} MB), batch 1000:`);
  for (let run = 0; run < runs; run++) {
    for (const scenario of ['acks', 'no-acks'] as Scenario[]) {
      const spool = join(root, `spool-${scenario}`);
      rmSync(spool, { recursive: true, force: true });
      mkdirSync(spool);
      const proc = fork(fileURLToPath(import.meta.url), ['child', scenario, spool], { execArgv: ['--import', 'tsx'] });
      const [r] = (await once(proc, 'message')) as [{ secs: number; events: number; cpu: number; rss: number }];
      await once(proc, 'exit');
      if (r.events < lines) throw new Error(`only ${r.events} of ${lines} events were delivered`);
      console.log(
        `  ${scenario.padEnd(8)} ${Math.round(lines / r.secs).toLocaleString('en').padStart(10)} lines/s  ${(bytes / r.secs / 1e6).toFixed(0).padStart(5)} MB/s  ` +
          `${r.secs.toFixed(2)} s  CPU ${(r.cpu / r.secs).toFixed(2)} cores, ${((r.cpu / lines) * 1e6).toFixed(2)} s per M lines  peak RSS ${r.rss.toFixed(0)} MB`,
      );
    }
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] as Scenario, process.argv[4]!);
else await main();
