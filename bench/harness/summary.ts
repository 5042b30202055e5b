/**
 * Runs reduced to what the report shows: min/median/max of every figure per agent, and Sluice's
 * ratios to Flume against the targets of the benchmark issue (events/s ≥ 1.5 × Flume's, peak RSS
 * ≤ ⅓ of Flume's).
 */
import type { Impl } from './agents.ts';
import type { RunResult } from './measure.ts';
import type { Outcome } from './scenario.ts';

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface ImplSummary {
  runs: number;
  eventsPerSec: Spread;
  mbPerSec: Spread;
  cpuSecPerMillion: Spread;
  peakRssMB: Spread;
  latencyP50Ms?: Spread;
  latencyP99Ms?: Spread;
  loadAverage: Spread;
}

export interface Ratios {
  /** Sluice's median events/s over Flume's. */
  throughput: number;
  /** Sluice's median peak RSS over Flume's. */
  rss: number;
  throughputMet: boolean;
  rssMet: boolean;
}

export interface ScenarioSummary extends Outcome {
  summary: Partial<Record<Impl, ImplSummary>>;
  ratios?: Ratios;
}

export const TARGET_THROUGHPUT = 1.5;
export const TARGET_RSS = 1 / 3;

function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: v[0]!, median: Math.round(median * 100) / 100, max: v[v.length - 1]! };
}

function summarize(all: RunResult[]): ImplSummary | undefined {
  const runs = all.filter((r) => r.rated);
  if (runs.length === 0) return undefined;
  const lat = runs.flatMap((r) => (r.latencyMs ? [r.latencyMs] : []));
  return {
    runs: runs.length,
    eventsPerSec: spread(runs.map((r) => r.eventsPerSec)),
    mbPerSec: spread(runs.map((r) => r.mbPerSec)),
    cpuSecPerMillion: spread(runs.map((r) => r.cpuSecPerMillion)),
    peakRssMB: spread(runs.map((r) => r.peakRssMB)),
    ...(lat.length ? { latencyP50Ms: spread(lat.map((l) => l.p50)), latencyP99Ms: spread(lat.map((l) => l.p99)) } : {}),
    loadAverage: spread(runs.flatMap((r) => [r.loadAverage.start, r.loadAverage.end])),
  };
}

export function summarizeOutcome(o: Outcome): ScenarioSummary {
  const summary: Partial<Record<Impl, ImplSummary>> = {};
  for (const impl of ['sluice', 'flume'] as const) {
    const s = summarize(o.runs[impl] ?? []);
    if (s) summary[impl] = s;
  }
  const { sluice, flume } = summary;
  if (!sluice || !flume) return { ...o, summary };
  const throughput = Math.round((sluice.eventsPerSec.median / flume.eventsPerSec.median) * 100) / 100;
  const rss = Math.round((sluice.peakRssMB.median / flume.peakRssMB.median) * 100) / 100;
  return {
    ...o,
    summary,
    ratios: { throughput, rss, throughputMet: throughput >= TARGET_THROUGHPUT, rssMet: rss <= TARGET_RSS },
  };
}
