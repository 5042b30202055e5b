/**
 * In-process benchmark of the file_roll sink: StressSource (500-byte events) → memory channel →
 * file_roll, batch 1000, with the serializer given (text, header_and_text, avro_event, or
 * avro_event:deflate / avro_event:snappy). Prints events/s, MB/s of output and CPU per million events.
 * Usage: tsx bench/file-roll.bench.ts [events] [serializer]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../src/agent/agent.ts';
import { loadConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/core/logger.ts';

const total = Number(process.argv[2] ?? 2_000_000);
const [serializer, codec = 'null'] = (process.argv[3] ?? 'text').split(':');
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-file-roll-'));
const text = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = org.apache.flume.source.StressSource
a1.sources.r1.size = 500
a1.sources.r1.maxSuccessfulEvents = ${total}
a1.sources.r1.batchSize = 1000
a1.sources.r1.channels = c1
a1.sources.r1.interceptors = ts
a1.sources.r1.interceptors.ts.type = timestamp
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${dir}
a1.sinks.k1.sink.batchSize = 1000
a1.sinks.k1.sink.serializer = ${serializer}
a1.sinks.k1.sink.serializer.compressionCodec = ${codec}
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
const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    scenario: `stress (500 B) → memory → file_roll ${serializer}${codec === 'null' ? '' : `/${codec}`}`,
    events: total,
    seconds: +secs.toFixed(2),
    eventsPerSec: Math.round(total / secs),
    outputMBPerSec: +(bytes / 1e6 / secs).toFixed(1),
    cpuSecPerMillion: +(((cpu.user + cpu.system) / 1e6 / total) * 1e6).toFixed(3),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
