/**
 * In-process micro-benchmark of the core hot path: a source → memory channel → null sink, batch 1000,
 * 500-byte events (StressSource, as Flume's S1 scenario) or `--seq` (decimal-counter bodies).
 * Prints events/s and CPU per million events. Usage: tsx bench/seq-memory-null.bench.ts [events] [--seq]
 */
import { Agent } from '../src/agent/agent.ts';
import { loadConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';

const total = Number(process.argv[2] ?? 20_000_000);
const seq = process.argv.includes("--seq");
const text = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
${seq ? `a1.sources.r1.type = seq\na1.sources.r1.totalEvents = ${total}` : `a1.sources.r1.type = org.apache.flume.source.StressSource\na1.sources.r1.size = 500\na1.sources.r1.maxSuccessfulEvents = ${total}`}
a1.sources.r1.batchSize = 1000
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
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await agent.start();
const sink = () => agent.metrics.toFlumeJson()['SINK.k1']!;
while (Number(sink()['EventDrainSuccessCount']) < total) await new Promise((r) => setTimeout(r, 20));
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await agent.stop(0);
const rate = total / secs;
console.log(JSON.stringify({ scenario: seq ? 'seq → memory → null' : 'stress (500 B) → memory → null', events: total, seconds: +secs.toFixed(2), eventsPerSec: Math.round(rate), cpuSecPerMillion: +(((cpu.user + cpu.system) / 1e6 / total) * 1e6).toFixed(3), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
