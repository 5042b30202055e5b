/**
 * Scenario 1: StressSource (500-byte events) → memory → null in one agent (test/peers/flume/bench/s1.properties).
 * StressSource stands in for `seq`, which cannot make 500-byte bodies; it reuses one body buffer, so
 * this measures the channel and runner overhead per event and batch, nothing else.
 */
import type { Scenario } from '../harness/scenario.ts';
import { baselineConfig, withKeys } from '../harness/workload.ts';

export const s1: Scenario = {
  id: 's1',
  title: 'stress → memory → null',
  bodyBytes: 500,
  configs: ['s1.properties'],
  async topology({ quick }) {
    // Flume needs ≥ 10 s at ~4.7 M events/s for its JIT to settle.
    const total = quick ? 2_000_000 : 50_000_000;
    const properties = withKeys(baselineConfig('s1.properties'), { 'a1.sources.r1.maxSuccessfulEvents': total });
    return { waves: [[{ role: 'agent', agent: 'a1', properties }]], measured: 'agent', channel: 'c1', total };
  },
};
