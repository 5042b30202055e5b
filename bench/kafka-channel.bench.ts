/**
 * seq → Kafka channel → null, batch 1000, on a local Kafka 4.1 broker: Sluice (its CLI from the sources)
 * and Apache Flume 1.11 with its Kafka channel (parseAsFlumeEvent = true, acks = all, both defaults),
 * alternating in the same run and measured by the same harness: events/s at the channel's takes
 * between 10 % and 90 % of the run, CPU of the agent process (the broker's is not counted). Every run
 * has its own topic and group, so each agent puts and takes its own events at once.
 *
 *   npx tsx bench/kafka-channel.bench.ts [events per run, default 1000000] [runs per agent, default 2]
 */
import { startKafka } from '../test/helpers/peers.ts';
import { type Impl, startAgent } from './harness/agents.ts';
import { measureRun, type RunResult } from './harness/measure.ts';
import { load1 } from './harness/procfs.ts';

const [total = 1_000_000, runs = 2] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);

function properties(bootstrap: string, name: string): string {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = seq',
    `a1.sources.r1.totalEvents = ${total}`,
    'a1.sources.r1.batchSize = 1000',
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel',
    `a1.channels.c1.kafka.bootstrap.servers = ${bootstrap}`,
    `a1.channels.c1.kafka.topic = ${name}`,
    `a1.channels.c1.kafka.consumer.group.id = ${name}`,
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.batchSize = 1000',
    'a1.sinks.k1.channel = c1',
    '',
  ].join('\n');
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const kafka = await startKafka();
const results: Record<Impl, RunResult[]> = { sluice: [], flume: [] };
try {
  for (let run = 0; run < runs; run++) {
    for (const impl of ['sluice', 'flume'] as const) {
      const spec = { role: impl, agent: 'a1', properties: properties(kafka.bootstrap, `bench-${impl}-${run}`), flumeVariant: 'kafka' as const };
      const agent = await startAgent(impl, spec, { build: 'src' });
      try {
        const r = await measureRun({ agents: [agent], measured: agent, channel: 'c1', total, bodyBytes: 7 });
        results[impl].push(r);
        console.log(`${impl} run ${run + 1}: ${r.eventsPerSec.toLocaleString('en')} events/s, ${r.cpuSecPerMillion} CPU s per M events, peak RSS ${r.peakRssMB} MB, load ${r.loadAverage.start}→${r.loadAverage.end}`);
      } finally {
        await agent.stop();
      }
    }
  }
} finally {
  await kafka.stop();
}

const row = (impl: Impl, label: string) => {
  const r = results[impl];
  const rates = r.map((x) => x.eventsPerSec);
  return `| ${label} | ${Math.round(median(rates)).toLocaleString('en')} (${Math.min(...rates).toLocaleString('en')}–${Math.max(...rates).toLocaleString('en')}) | ${median(r.map((x) => x.cpuSecPerMillion)).toFixed(2)} | ${Math.round(median(r.map((x) => x.peakRssMB)))} |`;
};
console.log(`\nseq → Kafka channel → null, batch 1000, ${total.toLocaleString('en')} events per run, ${runs} runs each; load average now ${load1()}\n`);
console.log(['| agent | events/s median (min–max) | CPU s per M events | peak RSS MB |', '|---|---|---|---|', row('sluice', 'Sluice'), row('flume', 'Flume 1.11'), ''].join('\n'));
