/**
 * Scenario 7: a two-tier chain on one machine: four collectors (StressSource → memory → avro sink)
 * send to one aggregator (avro source → memory → null), all five the same implementation
 * (test/peers/flume/bench/s7-collector.properties ×4 → s7-aggregator.properties). Events are counted
 * at the aggregator; CPU and RSS are the sum over the five processes.
 */
import { freePort } from '../../test/helpers/peers.ts';
import type { AgentSpec } from '../harness/agents.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineConfig, withKeys } from '../harness/workload.ts';

const COLLECTORS = 4;

export const s7: Scenario = {
  id: 's7',
  title: '4 collectors ⇒ 1 aggregator (avro)',
  bodyBytes: 500,
  configs: ['s7-collector.properties', 's7-aggregator.properties'],
  async topology({ quick }) {
    // Flume's five JVMs are still warming up after 4 M events (test-peers.md): 4 × 2 M give it ~20 s.
    const each = quick ? 25_000 : 2_000_000;
    const port = await freePort();
    const aggregator = withKeys(baselineConfig('s7-aggregator.properties'), { 'g1.sources.r1.port': port });
    const collector = withKeys(baselineConfig('s7-collector.properties'), {
      'c1.sinks.k1.port': port,
      'c1.sources.r1.maxSuccessfulEvents': each,
    });
    const collectors: AgentSpec[] = Array.from({ length: COLLECTORS }, (_, i) => ({ role: `collector ${i + 1}`, agent: 'c1', properties: collector }));
    return {
      waves: [[{ role: 'aggregator', agent: 'g1', properties: aggregator, listens: [port] }], collectors],
      measured: 'aggregator',
      channel: 'c1',
      total: each * COLLECTORS,
      probe: { port, compression: 'none' },
    };
  },
};
