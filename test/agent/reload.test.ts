import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.ts';
import { ConfigReloader } from '../../src/agent/reload.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Channel } from '../../src/core/channel.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-reload-'));
const agents: Agent[] = [];
const reloaders: ConfigReloader[] = [];
after(async () => {
  for (const r of reloaders) await r.close();
  for (const a of agents) await a.stop(0);
});

/** A logger whose lines the test can read. */
function capture() {
  const lines: Array<{ level: number; msg: string; code?: string; key?: string }> = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  return { logger, lines };
}

const twoFlows = (k2Batch = 100) => [
  'a1.sources = r1 r2',
  'a1.channels = c1 c2',
  'a1.sinks = k1 k2',
  'a1.sources.r1.type = seq',
  'a1.sources.r1.totalEvents = 500',
  'a1.sources.r1.batchSize = 50',
  'a1.sources.r1.channels = c1',
  'a1.sources.r2.type = seq',
  'a1.sources.r2.totalEvents = 500',
  'a1.sources.r2.channels = c2',
  'a1.channels.c1.type = memory',
  'a1.channels.c1.capacity = 1000',
  'a1.channels.c2.type = memory',
  'a1.channels.c2.capacity = 1000',
  'a1.sinks.k1.type = null',
  'a1.sinks.k1.channel = c1',
  'a1.sinks.k2.type = null',
  'a1.sinks.k2.channel = c2',
  `a1.sinks.k2.batchSize = ${k2Batch}`,
];

let files = 0;
async function running(lines: string[], watchFiles = false) {
  const file = join(dir, `agent${files++}.properties`);
  writeFileSync(file, lines.join('\n'));
  const { logger, lines: logs } = capture();
  const load = () => loadConfig({ files: [file], agent: 'a1' });
  const agent = new Agent(load(), { logger, drainMs: 2000 });
  agents.push(agent);
  await agent.start();
  const reloader = new ConfigReloader(agent, logger, { load, files: [file], watchFiles, debounceMs: 50 });
  reloaders.push(reloader);
  await reloader.start();
  return { agent, reloader, logs, rewrite: (next: string[]) => writeFileSync(file, next.join('\n')) };
}

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const metric = (a: Agent, key: string, attr: string) => a.metrics.toFlumeJson()[key]?.[attr];

describe('hot reload', { timeout: 60_000 }, () => {
  test('a file with errors changes nothing: every error is logged and the old topology keeps running', async () => {
    const { agent, reloader, logs, rewrite } = await running(twoFlows());
    const before = agent.current;
    const sources = agent.running!.sources;
    rewrite([...twoFlows(), 'a1.channels.c1.capacity = lots', 'a1.sinks.k1.channel = nowhere']);
    assert.equal(await reloader.reload('test'), 'refused');
    assert.equal(agent.current, before);
    assert.equal(agent.running!.sources, sources);
    const errors = logs.filter((l) => l.level === 50);
    assert.deepEqual(errors.filter((l) => l.code).map((l) => l.code).sort(), ['SLUICE_CONFIG_BAD_VALUE', 'SLUICE_CONFIG_WIRING']);
    assert.match(errors.at(-1)!.msg, /Reload refused \(test\): the configuration has 2 errors; the running configuration stays in force/);
    await until('r1 delivered everything', () => metric(agent, 'SINK.k1', 'EventDrainSuccessCount') === '500');
  });

  test('unchanged components keep running with their counters; only the changed sink is rebuilt', async () => {
    const { agent, reloader, logs, rewrite } = await running(twoFlows());
    await until('both flows delivered', () => metric(agent, 'SINK.k1', 'EventDrainSuccessCount') === '500' && metric(agent, 'SINK.k2', 'EventDrainSuccessCount') === '500');
    const t = agent.running!;
    const [r1, r2] = t.sources;
    const [k1, k2] = t.runners;
    const c1 = t.channels.get('c1');
    rewrite(twoFlows(10));
    assert.equal(await reloader.reload('test'), 'applied');
    const n = agent.running!;
    assert.equal(n.sources[0], r1);
    assert.equal(n.sources[1], r2);
    assert.equal(n.runners[0], k1);
    assert.notEqual(n.runners[1], k2);
    assert.equal(n.channels.get('c1'), c1);
    assert.equal(metric(agent, 'SOURCE.r1', 'EventAcceptedCount'), '500');
    assert.equal(metric(agent, 'SINK.k1', 'EventDrainSuccessCount'), '500');
    assert.equal(metric(agent, 'SINK.k2', 'EventDrainSuccessCount'), '0', 'the rebuilt sink starts new counters');
    assert.ok(logs.some((l) => /Configuration reloaded \(test\): sink groups changed: sink k2\./.test(l.msg)));
  });

  test('a memory channel keeps its events when its capacity changes and a sink is added to drain it', async () => {
    const noSink = [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sources.r1.type = seq',
      'a1.sources.r1.totalEvents = 300',
      'a1.sources.r1.batchSize = 100',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.channels.c1.capacity = 300',
    ];
    const { agent, reloader, rewrite } = await running(noSink);
    const c1 = agent.running!.channels.get('c1') as Channel;
    await until('the channel holds every event', () => c1.size() === 300);
    rewrite([...noSink.filter((l) => !l.includes('capacity')), 'a1.channels.c1.capacity = 2000', 'a1.sinks = k1', 'a1.sinks.k1.type = null', 'a1.sinks.k1.channel = c1']);
    assert.equal(await reloader.reload('test'), 'applied');
    assert.equal(agent.running!.channels.get('c1'), c1);
    assert.equal(c1.capacity(), 2000);
    await until('the new sink drained the kept events', () => metric(agent, 'SINK.k1', 'EventDrainSuccessCount') === '300');
    assert.equal(c1.size(), 0);
    assert.equal(metric(agent, 'SOURCE.r1', 'EventAcceptedCount'), '300', 'the source did not run again');
  });

  test('a sink rebuilt while its channel is busy loses nothing: the new sink takes what the old one left', async () => {
    const busy = (batch: number, source = true) => [
      `a1.sources = ${source ? 'r1' : ''}`,
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = seq',
      'a1.sources.r1.batchSize = 100',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.channels.c1.capacity = 1000',
      'a1.sinks.k1.type = null',
      'a1.sinks.k1.channel = c1',
      `a1.sinks.k1.batchSize = ${batch}`,
    ];
    const { agent, reloader, rewrite } = await running(busy(100));
    await until('delivery is under way', () => Number(metric(agent, 'CHANNEL.c1', 'EventTakeSuccessCount')) > 10_000);
    rewrite(busy(7));
    assert.equal(await reloader.reload('test'), 'applied');
    const taken = Number(metric(agent, 'CHANNEL.c1', 'EventTakeSuccessCount'));
    await until('the new sink delivers', () => Number(metric(agent, 'CHANNEL.c1', 'EventTakeSuccessCount')) > taken + 10_000);
    rewrite(busy(7, false));
    assert.equal(await reloader.reload('test'), 'applied');
    const c1 = agent.running!.channels.get('c1')!;
    await until('the channel is empty', () => c1.size() === 0);
    const puts = metric(agent, 'CHANNEL.c1', 'EventPutSuccessCount');
    assert.equal(metric(agent, 'CHANNEL.c1', 'EventTakeSuccessCount'), puts, 'every event put was taken and committed');
  });

  test('removed components stop and leave the metrics', async () => {
    const { agent, reloader, rewrite } = await running(twoFlows());
    const r2 = agent.running!.sources[1]!;
    const oneFlow = twoFlows().filter((l) => !/r2|c2|k2/.test(l) || /^a1\.(sources|channels|sinks) =/.test(l)).map((l) => l.replace(/ r2| c2| k2/, ''));
    rewrite(oneFlow);
    assert.equal(await reloader.reload('test'), 'applied');
    assert.deepEqual(agent.running!.sources.map((s) => s.name), ['r1']);
    assert.deepEqual([...agent.running!.channels.keys()], ['c1']);
    assert.ok(r2.counter.stopTime > 0, 'the removed source was stopped');
    assert.deepEqual(Object.keys(agent.metrics.toFlumeJson()).sort(), ['CHANNEL.c1', 'SINK.k1', 'SOURCE.r1']);
  });

  test('a group that cannot be built is left out and logged, the rest is applied, and the next reload builds it', async () => {
    const grouped = (priority2: number) => [
      ...twoFlows(),
      'a1.sinks = k1 k2 k3',
      'a1.sinks.k3.type = null',
      'a1.sinks.k3.channel = c1',
      'a1.sinkgroups = g1',
      'a1.sinkgroups.g1.sinks = k1 k3',
      'a1.sinkgroups.g1.processor.type = failover',
      'a1.sinkgroups.g1.processor.priority.k1 = 10',
      `a1.sinkgroups.g1.processor.priority.k3 = ${priority2}`,
    ];
    const { agent, reloader, logs, rewrite } = await running(twoFlows());
    rewrite(grouped(10));
    assert.equal(await reloader.reload('test'), 'applied');
    assert.ok(logs.some((l) => l.level === 50 && /Reload could not start sinkgroup g1; it is retried on the next reload\./.test(l.msg)));
    assert.deepEqual(agent.running!.runners.map((r) => r.name), ['k2']);
    rewrite(grouped(5));
    assert.equal(await reloader.reload('test'), 'applied');
    assert.deepEqual(agent.running!.runners.map((r) => r.name), ['g1', 'k2']);
  });

  test('SIGHUP re-reads the file', async () => {
    const { agent, rewrite } = await running(twoFlows());
    const before = agent.current;
    rewrite(twoFlows(20));
    process.kill(process.pid, 'SIGHUP');
    await until('the new plan is in force', () => agent.current !== before);
    assert.equal(agent.current.sinks.find((s) => s.name === 'k2')!.raw.get('batchSize'), '20');
  });

  test('saving the file reloads it', async () => {
    const { agent, logs, rewrite } = await running(twoFlows(), true);
    const before = agent.current;
    rewrite(twoFlows(30));
    await until('the new plan is in force', () => agent.current !== before);
    assert.equal(agent.current.sinks.find((s) => s.name === 'k2')!.raw.get('batchSize'), '30');
    assert.ok(logs.some((l) => /Configuration reloaded \(change of .*agent\d+\.properties\)/.test(l.msg)));
  });
});
