/**
 * Kafka source and sink run in-process against a real broker, without a whole agent: options go
 * through the real configuration loader, the component is built from its descriptor, and a memory
 * channel with a collecting sink (for the source) or a prefilled channel (for the sink) stands in
 * for the rest of the agent.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { ChannelProcessor } from '../../src/core/channel-processor.ts';
import type { Sink, Source } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { SinkCounter, SourceCounter } from '../../src/core/metrics.ts';
import { ReplicatingSelector } from '../../src/core/selectors.ts';
import { CollectingSink, memory } from './components.ts';

function plan(kind: 'sources' | 'sinks', type: string, props: Record<string, string | number | boolean>) {
  const name = kind === 'sources' ? 'r1' : 'k1';
  const lines = [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 100000',
    'a1.channels.c1.transactionCapacity = 10000',
    kind === 'sources' ? 'a1.sinks.k1.type = null' : 'a1.sources.r1.type = seq',
    'a1.sinks.k1.channel = c1',
    'a1.sources.r1.channels = c1',
    `a1.${kind}.${name}.type = ${type}`,
    ...Object.entries(props).map(([k, v]) => `a1.${kind}.${name}.${k} = ${v}`),
  ];
  return loadConfig({ files: ['kafka-test.properties'], agent: 'a1', text: lines.join('\n') });
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface SourceRun {
  readonly delivered: Event[];
  /** Warnings and errors the source logged, as JSON lines. */
  readonly logs: string[];
  readonly counter: SourceCounter;
  /** Waits until `n` events were delivered. */
  waitFor(n: number, ms?: number): Promise<Event[]>;
  stop(): Promise<void>;
}

/** Starts a Kafka source whose events are delivered to a collecting sink as they arrive. */
export async function startSource(props: Record<string, string | number | boolean>, type = 'org.apache.flume.source.kafka.KafkaSource'): Promise<SourceRun> {
  const p = plan('sources', type, { batchSize: 1000, batchDurationMillis: 200, ...props }).sources[0]!;
  const channel = memory('c1', 100_000, 10_000, 0);
  const counter = new SourceCounter('r1');
  const logs: string[] = [];
  const ctx = {
    agent: 'a1',
    name: 'r1',
    logger: pino({ level: 'warn' }, { write: (line: string) => logs.push(line) }),
    processor: new ChannelProcessor(new ReplicatingSelector([channel]), undefined, silentLogger),
    counter,
    maxBatch: 10_000,
  };
  const source: Source = p.descriptor.create(p.options, ctx);
  const sink = new CollectingSink(channel, 1000);
  let running = true;
  const drain = (async () => {
    while (running) await sink.process();
  })();
  await source.start();
  return {
    delivered: sink.delivered,
    logs,
    counter,
    async waitFor(n, ms) {
      await until(() => sink.delivered.length >= n, `${n} events from the Kafka source (got ${sink.delivered.length})`, ms);
      return sink.delivered;
    },
    async stop() {
      await source.stop();
      running = false;
      await drain;
    },
  };
}

/** Sends `events` through a Kafka sink and resolves once all of them are committed. */
export async function sendThroughSink(
  props: Record<string, string | number | boolean>,
  events: Event[],
  type = 'org.apache.flume.sink.kafka.KafkaSink',
): Promise<void> {
  const p = plan('sinks', type, { flumeBatchSize: 1000, ...props }).sinks[0]!;
  const channel = memory('c1', Math.max(events.length, 1), Math.max(events.length, 1), 0);
  const tx = channel.beginPut();
  tx.put(events, null);
  await tx.commit();
  const counter = new SinkCounter('k1');
  const sink: Sink = p.descriptor.create(p.options, { agent: 'a1', name: 'k1', logger: silentLogger, channel, counter });
  await sink.start();
  try {
    while (channel.size() > 0 || counter.drainSuccess < events.length) await sink.process();
  } finally {
    await sink.stop();
  }
}
