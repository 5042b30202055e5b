import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from '../../../bench/harness/measure.ts';
import { summarizeOutcome } from '../../../bench/harness/summary.ts';

const run = (eventsPerSec: number, peakRssMB: number, rated = true): RunResult => ({
  rated,
  eventsPerSec,
  mbPerSec: eventsPerSec / 2000,
  cpuSecPerMillion: 1,
  peakRssMB,
  rssByRole: { agent: peakRssMB },
  windowEvents: 1000,
  windowSeconds: 1,
  runSeconds: 1,
  loadAverage: { start: 1, end: 2 },
});

const outcome = (sluice: RunResult[], flume: RunResult[]) => ({
  id: 's1',
  title: 't',
  configs: [],
  status: 'ok' as const,
  runs: { sluice, flume },
  errors: {},
});

test('the summary gives min, median and max over the rated runs only', () => {
  const s = summarizeOutcome(outcome([run(300, 90), run(100, 80), run(200, 70), run(9999, 1, false)], [run(100, 300)]));
  assert.deepEqual(s.summary.sluice!.eventsPerSec, { min: 100, median: 200, max: 300 });
  assert.deepEqual(s.summary.sluice!.peakRssMB, { min: 70, median: 80, max: 90 });
  assert.equal(s.summary.sluice!.runs, 3);
});

test('ratios compare medians and say which targets are met', () => {
  const met = summarizeOutcome(outcome([run(150, 100)], [run(100, 300)])).ratios!;
  assert.deepEqual(met, { throughput: 1.5, rss: 0.33, throughputMet: true, rssMet: true });
  const missed = summarizeOutcome(outcome([run(149, 101)], [run(100, 300)])).ratios!;
  assert.equal(missed.throughputMet, false);
  assert.equal(missed.rssMet, false);
});

test('a scenario measured through one agent only has no ratios', () => {
  assert.equal(summarizeOutcome(outcome([run(1, 1)], [])).ratios, undefined);
});
