/**
 * How the chaos suite tells that a part of the deployment works again after a fault: counters on /metrics
 * that only grow while it works. A restarted agent's counters start from zero.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { counter } from './agent-process.ts';
import type { Aggregator, Collector, Node } from './deployment.ts';

/** The counters, or undefined while they cannot be read (the agent is starting, say). */
export type Probe = () => Promise<number[] | undefined>;

const TIMEOUT_MS = 180_000;

/** A collector reads its spool (channel puts) and sends (sink deliveries); an aggregator receives and writes both ways. */
export function progressOf(node: Node): Probe {
  const collector = node.name.startsWith('collector');
  return async () => {
    const m = await node.agent.metrics();
    if (!m) return undefined;
    if (!collector) return ['CHANNEL.ck', 'SINK.kafka', 'SINK.hdfs'].map((k, i) => counter(m, k, i === 0 ? 'EventPutSuccessCount' : 'EventDrainSuccessCount'));
    const sent = Object.keys(m).filter((k) => k.startsWith('SINK.')).reduce((n, k) => n + counter(m, k, 'EventDrainSuccessCount'), 0);
    return [counter(m, 'CHANNEL.c', 'EventPutSuccessCount'), sent];
  };
}

/** Events the aggregators' sinks of one kind delivered, together. */
export function deliveredBy(aggregators: readonly Aggregator[], sink: 'kafka' | 'hdfs'): Probe {
  return async () => {
    const all = await Promise.all(aggregators.map((a) => a.agent.metrics()));
    return all.some((m) => m === undefined) ? undefined : [all.reduce((n, m) => n + counter(m, `SINK.${sink}`, 'EventDrainSuccessCount'), 0)];
  };
}

/** Events a collector's channel accepted. */
export function putsOf(c: Collector): Probe {
  return async () => {
    const m = await c.agent.metrics();
    return m && [counter(m, 'CHANNEL.c', 'EventPutSuccessCount')];
  };
}

export async function readCounters(probe: Probe, target: string): Promise<number[]> {
  for (let tries = 0; tries < 50; tries++) {
    const v = await probe();
    if (v) return v;
    await delay(200);
  }
  throw new Error(`could not read the counters of ${target}`);
}

/** Waits until every counter exceeds its baseline (zero without one); fails after three minutes. */
export async function untilProgress(target: string, probe: Probe, baseline: readonly number[] | undefined, note: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const now = await probe();
    if (now?.every((v, i) => v > (baseline?.[i] ?? 0))) return;
    assert.ok(Date.now() < deadline, `${target} made no progress within ${TIMEOUT_MS} ms after the fault (${note}); counters ${JSON.stringify(now)} vs ${JSON.stringify(baseline)}`);
    await delay(200);
  }
}
