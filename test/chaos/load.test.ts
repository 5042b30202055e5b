// Load: the chaos deployment (three collectors, two aggregators, Kafka and HDFS) kept supplied with more
// files than it can read, for three minutes, so it runs at its maximum sustainable rate. Channels are small
// enough that backpressure has to travel from Kafka/HDFS through the aggregators' channels and the Avro hop
// back to the spool directories, where files wait. Reported: the delivered rate, how full each channel got,
// how many files waited, and every agent's peak resident memory; asserted: memory stays bounded, backpressure
// reached the spool directories (a collector's channel full while files waited there), and every id arrives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { showPeerLogsOnFailure } from '../helpers/peers.ts';
import { counter } from './harness/agent-process.ts';
import { waitingFiles } from './harness/feed.ts';
import { verdictLines } from './harness/report.ts';
import { drainAndVerify, type Stage, setUp, tearDown } from './harness/stage.ts';

const LOAD_MS = 3 * 60_000;
const WARM_UP_MS = 30_000;
const SAMPLE_MS = 5000;
/** Generous: a Node agent idles near 100 MiB; this only catches memory that grows with the load. */
const RSS_LIMIT_MB = 1024;

showPeerLogsOnFailure();

interface Sample {
  at: number;
  kafka: number;
  hdfs: number;
  /** Files waiting in each spool directory. */
  waiting: number[];
  /** Highest fill of any channel of each node, in percent. */
  fill: Record<string, number>;
}

describe('load: the deployment at its maximum sustainable rate', { timeout: 20 * 60_000 }, () => {
  let stage: Stage | undefined;
  before(async () => {
    stage = await setUp({ name: 'chaos-load', collectors: 3, aggregators: 2, processors: ['load_balance', 'failover', 'load_balance'], collectorCapacity: 5000, aggregatorCapacity: 20_000 });
  });
  after(() => tearDown(stage));

  test('for three minutes backpressure holds files in the spool directories and memory stays bounded', async () => {
    const s = stage!;
    const nodes = s.deployment.nodes;
    const feeding = new AbortController();
    const fed = s.feeder.keepWaiting(3, 5000, feeding.signal);
    const samples: Sample[] = [];
    const t0 = Date.now();
    try {
      while (Date.now() - t0 < LOAD_MS) {
        await delay(SAMPLE_MS);
        const metrics = await Promise.all(nodes.map((n) => n.agent.metrics()));
        const drained = (sink: string) => s.deployment.aggregators.reduce((sum, a) => sum + counter(metrics[nodes.indexOf(a)], `SINK.${sink}`, 'EventDrainSuccessCount'), 0);
        const fill: Record<string, number> = {};
        nodes.forEach((n, i) => {
          const channels = Object.keys(metrics[i] ?? {}).filter((k) => k.startsWith('CHANNEL.'));
          fill[n.name] = Math.max(0, ...channels.map((k) => counter(metrics[i], k, 'ChannelFillPercentage')));
          n.agent.sampleRss();
        });
        samples.push({ at: Date.now() - t0, kafka: drained('kafka'), hdfs: drained('hdfs'), waiting: s.deployment.collectors.map((c) => waitingFiles(c.spool)), fill });
      }
    } finally {
      feeding.abort();
      await fed;
    }

    const steady = samples.filter((x) => x.at >= WARM_UP_MS);
    const first = steady[0]!;
    const last = steady.at(-1)!;
    const seconds = (last.at - first.at) / 1000;
    const rate = (k: 'kafka' | 'hdfs') => Math.round((last[k] - first[k]) / seconds);
    const peakFill = (name: string) => Math.max(...samples.map((x) => x.fill[name] ?? 0));
    // Backpressure reached a spool directory: its collector's channel was (nearly) full while files waited there.
    const pressed = samples.filter((x) => s.deployment.collectors.some((c, i) => x.fill[c.name]! >= 90 && x.waiting[i]! > 0)).length;
    console.log(`load for ${LOAD_MS / 1000} s, steady from ${WARM_UP_MS / 1000} s: ${rate('kafka')} events/s into Kafka, ${rate('hdfs')} events/s into HDFS`);
    console.log(`peak channel fill (%): ${nodes.map((n) => `${n.name} ${peakFill(n.name).toFixed(0)}`).join(', ')}`);
    console.log(`files waiting per spool directory (min–max over the steady samples): ${s.deployment.collectors.map((c, i) => `${c.name} ${Math.min(...steady.map((x) => x.waiting[i]!))}–${Math.max(...steady.map((x) => x.waiting[i]!))}`).join(', ')}`);
    console.log(`backpressure at a spool directory (collector channel ≥ 90 % full, files waiting) in ${pressed} of ${samples.length} samples`);
    console.log(`peak RSS (VmHWM, MiB): ${nodes.map((n) => `${n.name} ${Math.round(n.agent.peakRssKb / 1024)}`).join(', ')}`);

    assert.ok(rate('kafka') > 0 && rate('hdfs') > 0, 'events were delivered during the load');
    assert.ok(pressed > 0, 'no collector channel filled up while files waited: the deployment was not running at its limit');
    for (const n of nodes) assert.ok(n.agent.peakRssKb / 1024 < RSS_LIMIT_MB, `${n.name} peaked at ${Math.round(n.agent.peakRssKb / 1024)} MiB`);
  });

  test('nothing was dropped: every event id fed during the load is in Kafka and in HDFS', async () => {
    const v = await drainAndVerify(stage!, 600_000);
    for (const line of verdictLines(v)) console.log(line);
    assert.deepEqual(v.crashes, []);
    assert.equal(v.kafka.missing + v.hdfs.missing, 0, `missing: Kafka ${v.kafka.missingIds.join(', ')}; HDFS ${v.hdfs.missingIds.join(', ')}`);
    assert.equal(v.kafka.foreign + v.hdfs.foreign, 0);
  });
});
