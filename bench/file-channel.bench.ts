/**
 * Generator → file channel → null, 500-byte events, batch 100 and 1000, fsync per transaction (the
 * default): Sluice in this process, then Apache Flume 1.11 on the same properties text (a real Flume
 * agent from test/helpers/peers.ts) for comparison. The generator is StressSource, which both accept:
 * Flume's seq source cannot make 500-byte bodies. Events/s are counted at the channel's takes between
 * 10 % and 90 % of the run (Flume's JIT warm-up stays out); CPU is the whole process over that window.
 *
 *   npx tsx bench/file-channel.bench.ts [sluice events, default 2000000] [flume events, default 600000] [--no-flume]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../src/agent/agent.ts';
import { loadConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';
import { makePeerDir, startFlume } from '../test/helpers/peers.ts';

interface Sample {
  at: number;
  taken: number;
  cpu: number;
}

interface Result {
  eventsPerSec: number;
  cpuSecPerMillion: number;
}

function properties(dir: string, batch: number, total: number): string {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = org.apache.flume.source.StressSource',
    'a1.sources.r1.size = 500',
    `a1.sources.r1.batchSize = ${batch}`,
    `a1.sources.r1.maxSuccessfulEvents = ${total}`,
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = file',
    `a1.channels.c1.checkpointDir = ${join(dir, 'checkpoint')}`,
    `a1.channels.c1.dataDirs = ${join(dir, 'data')}`,
    'a1.channels.c1.capacity = 1000000',
    `a1.channels.c1.transactionCapacity = ${batch}`,
    'a1.sinks.k1.type = null',
    `a1.sinks.k1.batchSize = ${batch}`,
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

/** Polls `sample` until `total` events are taken, then rates the 10 %–90 % window. */
async function measure(total: number, sample: () => Promise<Sample>): Promise<Result> {
  const samples: Sample[] = [];
  for (;;) {
    const s = await sample();
    samples.push(s);
    if (s.taken >= total) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const from = samples.find((s) => s.taken >= total * 0.1)!;
  const to = samples.find((s) => s.taken >= total * 0.9)!;
  const events = to.taken - from.taken;
  return { eventsPerSec: events / ((to.at - from.at) / 1000), cpuSecPerMillion: ((to.cpu - from.cpu) / events) * 1e6 };
}

async function sluice(batch: number, total: number): Promise<Result> {
  const dir = makePeerDir('bench-fc');
  const agent = new Agent(loadConfig({ files: ['bench'], agent: 'a1', text: properties(dir, batch, total) }), { logger: silentLogger });
  await agent.start();
  const r = await measure(total, async () => {
    const c = process.cpuUsage();
    return { at: performance.now(), taken: Number(agent.metrics.toFlumeJson()['CHANNEL.c1']!['EventTakeSuccessCount']), cpu: (c.user + c.system) / 1e6 };
  });
  await agent.stop(0);
  rmSync(dir, { recursive: true, force: true });
  return r;
}

/** utime + stime in seconds of the process whose command line mentions `marker` (the peer's directory). */
function cpuOf(marker: string): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (!f[0]?.startsWith('S') && !f[0]?.startsWith('R')) continue;
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // The process ended while being read.
    }
  }
  return Number.NaN;
}

async function flume(batch: number, total: number): Promise<Result> {
  const dir = makePeerDir('bench-flume');
  const peer = await startFlume(properties(dir, batch, total), 'a1', { dir, jvm: ['-Xmx1g'] });
  try {
    return await measure(total, async () => {
      const m = await peer.metrics();
      return { at: performance.now(), taken: Number(m['CHANNEL.c1']?.['EventTakeSuccessCount'] ?? 0), cpu: cpuOf(join(dir, 'agent.properties')) };
    });
  } finally {
    await peer.stop();
  }
}

const [sluiceEvents = 2_000_000, flumeEvents = 600_000] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const rows: string[] = [];
for (const batch of [100, 1000]) {
  const s = await sluice(batch, sluiceEvents);
  rows.push(`| Sluice | ${batch} | ${Math.round(s.eventsPerSec).toLocaleString('en')} | ${s.cpuSecPerMillion.toFixed(1)} |`);
  if (!process.argv.includes('--no-flume')) {
    const f = await flume(batch, flumeEvents);
    rows.push(`| Flume 1.11 | ${batch} | ${Math.round(f.eventsPerSec).toLocaleString('en')} | ${f.cpuSecPerMillion.toFixed(1)} |`);
  }
  console.log(rows.slice(-2).join('\n'));
}
console.log(`\nStressSource (500 B) → file channel (fsync per transaction) → null; load average at the end ${loadavg()[0]!.toFixed(1)}\n`);
console.log(['| agent | batch | events/s | CPU s per M events |', '|---|---|---|---|', ...rows].join('\n'));
