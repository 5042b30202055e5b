/**
 * Scenario 5: StressSource → memory → Kafka sink, to a local Kafka 4.1 broker (one partition per
 * topic, acks = 1) (test/peers/flume/bench/s6.properties, the Kafka baseline of test-peers.md).
 * The issue feeds this sink from an avro source; the in-agent generator is kept, as in Flume's
 * baseline, so that the figure is the sink's (scenario 4 measures the avro source). Each run writes
 * its own topic. The broker's CPU and memory are not counted: it is the destination, not the agent.
 */
import { type KafkaPeer, startKafka } from '../../test/helpers/peers.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineConfig, withKeys } from '../harness/workload.ts';

let kafka: KafkaPeer | undefined;

export const s5: Scenario = {
  id: 's5',
  title: 'stress → memory → kafka',
  bodyBytes: 500,
  configs: ['s6.properties'],
  peer: 'Kafka',
  async setup() {
    kafka = await startKafka();
  },
  async topology({ impl, run, quick }) {
    const total = quick ? 20_000 : 3_000_000;
    const topic = `bench-${impl}-${run}`;
    await kafka!.createTopic(topic, 1);
    const properties = withKeys(baselineConfig('s6.properties'), {
      'a1.sources.r1.maxSuccessfulEvents': total,
      'a1.sinks.k1.kafka.bootstrap.servers': kafka!.bootstrap,
      'a1.sinks.k1.kafka.topic': topic,
    });
    return { waves: [[{ role: 'agent', agent: 'a1', properties, flumeVariant: 'kafka' }]], measured: 'agent', channel: 'c1', total };
  },
  async teardown() {
    await kafka?.stop();
    kafka = undefined;
  },
};
