/**
 * A whole chaos stage: the real Kafka and HDFS peers, a topic with three partitions, the deployment of
 * agents and a feeder for its spool directories; then, at the end, waiting until everything fed was
 * delivered, stopping the agents cleanly and reading both destinations back.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type HdfsPeer, type KafkaPeer, makePeerDir, startHdfs, startKafka } from '../../helpers/peers.ts';
import { counter } from './agent-process.ts';
import { Deployment, type GroupProcessor } from './deployment.ts';
import { Feeder, Tally, type TallySummary } from './feed.ts';
import { readHdfs, readKafka } from './read-back.ts';

export interface StageOptions {
  name: string;
  collectors: number;
  aggregators: number;
  processors: readonly GroupProcessor[];
  collectorCapacity?: number;
  aggregatorCapacity?: number;
}

export interface Stage {
  kafka: KafkaPeer;
  hdfs: HdfsPeer;
  deployment: Deployment;
  feeder: Feeder;
  topic: string;
  hdfsRoot: string;
}

export interface Verdict {
  sent: number;
  kafka: TallySummary;
  hdfs: TallySummary;
  hdfsFiles: number;
  /** Agents that exited without being told to, with the end of their log. */
  crashes: string[];
  /** Peak resident memory per agent over all its runs, in MiB. */
  peakRssMb: Record<string, number>;
  /** Seconds until everything fed was delivered, and to read both destinations back. */
  drainSeconds: number;
  readSeconds: number;
}

/** Starts the peers (in parallel), then the agents; on failure stops whatever started. */
export async function setUp(o: StageOptions): Promise<Stage> {
  const dir = makePeerDir(o.name);
  // Restarts on a busy two-core machine can take a minute or more.
  const [kafka, hdfs] = await Promise.all([startKafka({ startTimeoutMs: 300_000 }), startHdfs({ startTimeoutMs: 300_000 })]);
  const topic = 'chaos';
  const hdfsRoot = '/chaos';
  let deployment: Deployment | undefined;
  try {
    await kafka.createTopic(topic, 3);
    deployment = await Deployment.create({
      dir,
      kafka,
      hdfs,
      topic,
      hdfsRoot,
      collectors: o.collectors,
      aggregators: o.aggregators,
      processors: o.processors,
      collectorCapacity: o.collectorCapacity ?? 20_000,
      aggregatorCapacity: o.aggregatorCapacity ?? 200_000,
    });
    await deployment.start();
  } catch (err) {
    await tearDown({ kafka, hdfs, ...(deployment ? { deployment } : {}) });
    throw err;
  }
  return { kafka, hdfs, deployment, feeder: new Feeder(deployment.collectors), topic, hdfsRoot };
}

export async function tearDown(s: Partial<Stage> | undefined): Promise<void> {
  if (!s) return;
  for (const n of s.deployment?.nodes ?? []) await n.agent.kill();
  s.deployment?.remove();
  await Promise.all([s.kafka?.stop(), s.hdfs?.stop()]);
}

/** Sizes of every channel of every agent, or undefined while one cannot be read. */
async function channelSizes(s: Stage): Promise<number[] | undefined> {
  const sizes: number[] = [];
  for (const n of s.deployment.nodes) {
    const m = await n.agent.metrics();
    if (!m) return undefined;
    for (const k of Object.keys(m).filter((k) => k.startsWith('CHANNEL.'))) sizes.push(counter(m, k, 'ChannelSize'));
  }
  return sizes;
}

/**
 * Waits until every file fed was delivered and every channel stayed empty for three readings in a row,
 * stops the agents (collectors first), and counts what Kafka and HDFS hold.
 */
export async function drainAndVerify(s: Stage, timeoutMs: number): Promise<Verdict> {
  const begin = Date.now();
  const deadline = begin + timeoutMs;
  for (let empty = 0; empty < 3; ) {
    const sizes = s.feeder.done() ? await channelSizes(s) : undefined;
    empty = sizes?.every((n) => n === 0) ? empty + 1 : 0;
    if (Date.now() > deadline) {
      const state = s.deployment.collectors.map((c) => `${c.name}: ${c.agent.logTail(15)}`).join('\n');
      throw new Error(`the deployment did not deliver everything within ${timeoutMs} ms (channel sizes ${JSON.stringify(sizes)})\n${state}`);
    }
    await delay(1000);
  }
  await s.deployment.stop();
  const drained = Date.now();
  const kafka = new Tally(s.feeder.sent);
  await readKafka(s.kafka.bootstrap, s.topic, kafka);
  const hdfs = new Tally(s.feeder.sent);
  const hdfsFiles = await readHdfs(s.hdfs.httpUrl, s.hdfsRoot, hdfs);
  const nodes = s.deployment.nodes;
  return {
    sent: s.feeder.total,
    kafka: kafka.summary(),
    hdfs: hdfs.summary(),
    hdfsFiles,
    crashes: nodes.flatMap((n) => n.agent.crashes),
    peakRssMb: Object.fromEntries(nodes.map((n) => [n.name, Math.round(n.agent.peakRssKb / 1024)])),
    drainSeconds: Math.round((drained - begin) / 1000),
    readSeconds: Math.round((Date.now() - drained) / 1000),
  };
}
