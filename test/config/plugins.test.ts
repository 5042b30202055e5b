import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfigAsync } from '../../src/config/load.ts';
import { withTransaction } from '../../src/core/channel.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { type ConfigError, ConfigErrors } from '../../src/errors.ts';

const fixtures = new URL('./fixtures/plugins/', import.meta.url).pathname;

function config(interceptorType: string, extra = ''): string {
  return [
    'a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1',
    'a1.sources.r1.type = seq', 'a1.sources.r1.totalEvents = 4', 'a1.sources.r1.batchSize = 4', 'a1.sources.r1.channels = c1',
    'a1.sources.r1.interceptors = i1',
    `a1.sources.r1.interceptors.i1.type = ${interceptorType}`,
    extra,
    'a1.channels.c1.type = memory',
    'a1.sinks.k1.type = null', 'a1.sinks.k1.channel = c1',
  ].join('\n');
}

/** Runs the config with the sink never started, and returns what reached the channel. */
async function channelContents(text: string, file = `${fixtures}test.properties`): Promise<{ events: Event[]; agent: Agent }> {
  const plan = await loadConfigAsync({ files: [file], agent: 'a1', text });
  const agent = new Agent({ ...plan, sinks: [], groups: [] }, { logger: silentLogger });
  await agent.start();
  await new Promise((r) => setTimeout(r, 200));
  const channel = agent.running!.channels.get('c1')!;
  const events = await withTransaction(channel.beginTake(), (tx) => tx.take(100));
  return { events, agent };
}

async function loadError(text: string): Promise<ConfigError> {
  try {
    await loadConfigAsync({ files: [`${fixtures}test.properties`], agent: 'a1', text });
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return e.errors[0]!;
  }
  assert.fail('the load should fail');
}

describe('user-written components loaded as modules', () => {
  test('the worked example enriches events, with its options validated like a built-in', async () => {
    const text = config('../../../../examples/enrich-interceptor/enrich.mjs', [
      'a1.sources.r1.interceptors.i1.header = kind',
      'a1.sources.r1.interceptors.i1.table.x = found',
      'a1.sources.r1.interceptors.i1.missing = none',
      'a1.sources.r1.interceptors.i0.type = static',
      'a1.sources.r1.interceptors = i0 i1',
      'a1.sources.r1.interceptors.i0.key = kind',
      'a1.sources.r1.interceptors.i0.value = x',
    ].join('\n'));
    const { events, agent } = await channelContents(text);
    await agent.stop(0);
    assert.equal(events.length, 4);
    assert.deepEqual(events.map((e) => e.headers['team']), ['found', 'found', 'found', 'found']);
  });

  test('an unknown option of a module is reported with file, line and key', async () => {
    const e = await loadError(config('../../../../examples/enrich-interceptor/enrich.mjs', 'a1.sources.r1.interceptors.i1.tabel.x = y'));
    assert.equal(e.code, 'SLUICE_CONFIG_UNKNOWN_KEY');
    assert.equal(e.key, 'a1.sources.r1.interceptors.i1.tabel.x');
  });

  test('a module that cannot be imported names the module, key and line', async () => {
    const e = await loadError(config('./missing.mjs'));
    assert.equal(e.code, 'SLUICE_CONFIG_PLUGIN');
    assert.equal(e.key, 'a1.sources.r1.interceptors.i1.type');
    assert.equal(e.line, 9);
    assert.match(e.message, /cannot be loaded/);
  });

  test('a module without a descriptor export is refused', async () => {
    const e = await loadError(config('./no-export.mjs'));
    assert.match(e.message, /no-export\.mjs, which exports no interceptor descriptor/);
  });

  test('a descriptor without create is refused', async () => {
    const e = await loadError(config('./no-create.mjs'));
    assert.match(e.message, /has no create\(options, context\) function/);
  });

  test('a create that throws stops the agent at start, naming the module', async () => {
    const plan = await loadConfigAsync({ files: [`${fixtures}test.properties`], agent: 'a1', text: config('./throws-in-create.mjs') });
    const agent = new Agent(plan, { logger: silentLogger });
    await assert.rejects(agent.start(), /throws-in-create\.mjs failed to create its interceptor: lookup table file is missing/);
  });

  test('onError = fail: a throwing interceptor fails the batch, so nothing reaches the channel and the source retries', async () => {
    const { events, agent } = await channelContents(config('./throws-on-odd.mjs'));
    const failures = agent.metrics.toFlumeJson()['SOURCE.r1']!['ChannelWriteFail'];
    await agent.stop(0);
    assert.equal(events.length, 0);
    assert.ok(Number(failures) >= 1);
  });

  test('onError = drop: only the events that throw are dropped, and each is counted', async () => {
    const { events, agent } = await channelContents(config('./throws-on-odd.mjs', 'a1.sources.r1.interceptors.i1.onError = drop'));
    const failures = agent.metrics.toFlumeJson()['SOURCE.r1']!['GenericProcessingFail'];
    await agent.stop(0);
    assert.deepEqual(events.map((e) => e.body.toString()), ['0', '2']);
    assert.equal(failures, '2');
  });
});

