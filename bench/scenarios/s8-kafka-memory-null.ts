/**
 * Scenario 8: Kafka source → memory → null, reading a topic of 500-byte records prefilled once by
 * Kafka's own ProducerPerformance tool (test/peers/flume/bench/s8.properties). Each run reads the
 * whole topic from the start in a consumer group of its own. Sluice commits offsets only once the
 * null sink has taken the events, Flume as soon as the channel has them: the figure includes that.
 * The broker's CPU and memory are not counted.
 */
import { type KafkaPeer, startKafka } from '../../test/helpers/peers.ts';
import { classpath, runJava } from '../../test/helpers/peers/java.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineConfig, withKeys } from '../harness/workload.ts';

const TOPIC = 'bench-s8';
let kafka: KafkaPeer | undefined;
let total = 0;

export const s8: Scenario = {
  id: 's8',
  title: 'kafka → memory → null',
  bodyBytes: 500,
  configs: ['s8.properties'],
  peer: 'Kafka',
  async setup(quick) {
    total = quick ? 20_000 : 2_000_000;
    kafka = await startKafka();
    await kafka.createTopic(TOPIC, 1);
    const props = [`bootstrap.servers=${kafka.bootstrap}`, 'acks=1', 'linger.ms=5', 'batch.size=262144'];
    const args = ['--topic', TOPIC, '--num-records', String(total), '--record-size', '500', '--throughput', '-1', '--producer-props', ...props];
    await runJava(await classpath('kafka'), 'org.apache.kafka.tools.ProducerPerformance', args, { timeoutMs: 600_000 });
  },
  async topology({ impl, run }) {
    const properties = withKeys(baselineConfig('s8.properties'), {
      'a1.sources.r1.kafka.bootstrap.servers': kafka!.bootstrap,
      'a1.sources.r1.kafka.consumer.group.id': `bench-s8-${impl}-${run}`,
    });
    return { waves: [[{ role: 'agent', agent: 'a1', properties, flumeVariant: 'kafka' }]], measured: 'agent', channel: 'c1', total };
  },
  async teardown() {
    await kafka?.stop();
    kafka = undefined;
  },
};
