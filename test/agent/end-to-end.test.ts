import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfigAsync } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { freePort, spawnChild } from '../helpers/peers.ts';

const root = new URL('../../', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'sluice-e2e-'));

/** Every line of every file in `dir`, as numbers. */
function lines(dir: string): number[] {
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
}

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const counter = (agent: Agent, key: string, attr: string) => Number(agent.metrics.toFlumeJson()[key]?.[attr] ?? 0);

describe('end to end', () => {
  test('seq → interceptors → multiplexing → two memory channels → failover group → file_roll delivers every event exactly once', async () => {
    const dir = tmp();
    // The preferred sink sends to a port nobody listens on, so every batch fails over to the backup.
    const closedPort = await freePort();
    const text = `
a1.sources = gen
a1.channels = low high
a1.sinks = broken backup rest
a1.sinkgroups = g1
a1.sources.gen.type = seq
a1.sources.gen.totalEvents = 20000
a1.sources.gen.batchSize = 100
a1.sources.gen.channels = low high
a1.sources.gen.interceptors = digit stamp
a1.sources.gen.interceptors.digit.type = regex_extractor
a1.sources.gen.interceptors.digit.regex = (\\\\d)$
a1.sources.gen.interceptors.digit.serializers = s1
a1.sources.gen.interceptors.digit.serializers.s1.name = last
a1.sources.gen.interceptors.stamp.type = timestamp
a1.sources.gen.selector.type = multiplexing
a1.sources.gen.selector.header = last
a1.sources.gen.selector.mapping.0 = low
a1.sources.gen.selector.mapping.1 = low
a1.sources.gen.selector.mapping.2 = low
a1.sources.gen.selector.mapping.3 = low
a1.sources.gen.selector.mapping.4 = low
a1.sources.gen.selector.default = high
a1.channels.low.type = memory
a1.channels.low.capacity = 5000
a1.channels.high.type = memory
a1.channels.high.capacity = 5000
a1.sinkgroups.g1.sinks = broken backup
a1.sinkgroups.g1.processor.type = failover
a1.sinkgroups.g1.processor.priority.broken = 10
a1.sinkgroups.g1.processor.priority.backup = 5
a1.sinks.broken.type = avro
a1.sinks.broken.channel = low
a1.sinks.broken.hostname = 127.0.0.1
a1.sinks.broken.port = ${closedPort}
a1.sinks.broken.connect-timeout = 1000
a1.sinks.backup.type = file_roll
a1.sinks.backup.channel = low
a1.sinks.backup.sink.directory = ${dir}/low
a1.sinks.rest.type = file_roll
a1.sinks.rest.channel = high
a1.sinks.rest.sink.directory = ${dir}/high
`;
    const agent = new Agent(await loadConfigAsync({ files: ['e2e.properties'], agent: 'a1', text }), { logger: silentLogger });
    await agent.start();
    await until(() => counter(agent, 'SINK.backup', 'EventDrainSuccessCount') + counter(agent, 'SINK.rest', 'EventDrainSuccessCount') === 20000);
    const failed = counter(agent, 'SINK.broken', 'ConnectionFailedCount');
    await agent.stop(1000);
    assert.ok(failed >= 1, 'the preferred sink failed and the group failed over');
    const low = lines(join(dir, 'low'));
    const high = lines(join(dir, 'high'));
    assert.equal(low.length, 10000);
    assert.equal(high.length, 10000);
    assert.ok(low.every((n) => n % 10 < 5), 'digits 0–4 went to the low channel');
    assert.ok(high.every((n) => n % 10 >= 5));
    assert.deepEqual([...low, ...high].sort((a, b) => a - b), Array.from({ length: 20000 }, (_, i) => i), 'every event once');
  });

  test('a full channel pushes back on the source: it retries, and nothing is lost or duplicated', async () => {
    const dir = tmp();
    const text = `
a1.sources = gen
a1.channels = c1
a1.sinks = slow
a1.sources.gen.type = seq
a1.sources.gen.totalEvents = 3000
a1.sources.gen.batchSize = 100
a1.sources.gen.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 100
a1.channels.c1.keep-alive = 0
a1.sinks.slow.type = file_roll
a1.sinks.slow.sink.batchSize = 1
a1.sinks.slow.channel = c1
a1.sinks.slow.sink.directory = ${dir}
`;
    const agent = new Agent(await loadConfigAsync({ files: ['full.properties'], agent: 'a1', text }), { logger: silentLogger });
    await agent.start();
    await until(() => counter(agent, 'SINK.slow', 'EventDrainSuccessCount') === 3000, 60_000);
    const refused = counter(agent, 'SOURCE.gen', 'ChannelWriteFail');
    await agent.stop(1000);
    assert.ok(refused > 0, 'the channel was full at least once');
    assert.deepEqual(lines(dir), Array.from({ length: 3000 }, (_, i) => i));
  });

  test('SIGTERM stops the source, lets the sinks drain the channel, and exits 0', { timeout: 300_000 }, async () => {
    const dir = tmp();
    const port = await freePort();
    const conf = join(dir, 'drain.properties');
    writeFileSync(conf, [
      'a1.sources = gen', 'a1.channels = c1', 'a1.sinks = out',
      'a1.sources.gen.type = seq', 'a1.sources.gen.totalEvents = 200000', 'a1.sources.gen.batchSize = 1000', 'a1.sources.gen.channels = c1',
      'a1.channels.c1.type = memory', 'a1.channels.c1.capacity = 50000', 'a1.channels.c1.transactionCapacity = 1000',
      'a1.sinks.out.type = file_roll', 'a1.sinks.out.sink.batchSize = 50', 'a1.sinks.out.channel = c1', `a1.sinks.out.sink.directory = ${dir}/out`,
    ].join('\n'));
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '-f', conf, '-n', 'a1', '--metrics-port', String(port), '--drain-timeout', '20000'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    let queued = 0;
    const end = Date.now() + 120_000;
    while (queued === 0 && Date.now() < end) {
      const m = (await (await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined))?.json().catch(() => undefined)) as Record<string, Record<string, string>> | undefined;
      queued = Number(m?.['CHANNEL.c1']?.['ChannelSize'] ?? 0);
      if (queued === 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(queued > 0, 'the channel held events when the signal came');
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, stderr);
    const out = lines(join(dir, 'out')).sort((a, b) => a - b);
    assert.ok(out.length > 0);
    assert.deepEqual(out, Array.from({ length: out.length }, (_, i) => i), 'everything the source put was drained, in one contiguous run');
  });
});
