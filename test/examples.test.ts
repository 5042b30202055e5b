import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigAsync } from '../src/config/load.ts';

const example = new URL('../examples/enrich-interceptor/', import.meta.url).pathname;

test('the enrich example configuration loads: its Kafka components and its interceptor module resolve', async () => {
  const plan = await loadConfigAsync({ files: [`${example}flume.properties`], agent: 'enricher', env: {} });
  assert.equal(plan.sources[0]!.interceptors[0]!.descriptor.type, './enrich.mjs');
  assert.equal(plan.sinks[0]!.descriptor.flumeClass, 'org.apache.flume.sink.kafka.KafkaSink');
});
