import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { type MonitoringServer, startMonitoring } from '../../src/agent/http.ts';
import { readTap, type TappedEvent } from '../../src/agent/tap.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { isSluiceError } from '../../src/errors.ts';
import { BatchingSink } from '../../src/sinks/util/batching-sink.ts';

const config = (sinkBatch: number) => `
a1.sources = r1
a1.channels = c1 c2
a1.sinks = k1 k2
a1.sources.r1.type = seq
a1.sources.r1.batchSize = 50
a1.sources.r1.channels = c1 c2
a1.sources.r1.interceptors = st
a1.sources.r1.interceptors.st.type = static
a1.sources.r1.interceptors.st.key = tier
a1.sources.r1.interceptors.st.value = edge
a1.channels.c1.type = memory
a1.channels.c1.capacity = 1000
a1.channels.c2.type = memory
a1.channels.c2.capacity = 1000
a1.sinks.k1.type = null
a1.sinks.k1.channel = c1
a1.sinks.k1.batchSize = ${sinkBatch}
a1.sinks.k1.logEveryNEvents = 0
a1.sinks.k2.type = null
a1.sinks.k2.channel = c2
a1.sinks.k2.logEveryNEvents = 0
`;

describe('agent tap', { timeout: 180_000 }, () => {
  let agent: Agent;
  let admin: MonitoringServer;
  let plain: MonitoringServer;
  let url: string;
  before(async () => {
    agent = new Agent(loadConfig({ files: ['tap'], agent: 'a1', text: config(100) }), { logger: silentLogger });
    await agent.start();
    admin = await startMonitoring(0, '127.0.0.1', () => agent.metrics, agent.taps);
    plain = await startMonitoring(0, '127.0.0.1', () => agent.metrics);
    url = `http://127.0.0.1:${admin.port}`;
  });
  after(async () => {
    await admin.close();
    await plain.close();
    await agent.stop(0);
  });

  const tap = async (component: string, count: number, perSecond = 100) => {
    const lines: TappedEvent[] = [];
    await readTap({ url, component, perSecond, previewBytes: 4, count }, (l) => lines.push(JSON.parse(l)));
    return lines;
  };

  test('a source shows what it put, after its interceptors, with a body preview', async () => {
    const events = await tap('r1', 3);
    assert.equal(events.length, 3);
    for (const e of events) {
      assert.equal(e.component, 'r1');
      assert.equal(e.kind, 'source');
      assert.deepEqual(e.headers, { tier: 'edge' });
      assert.equal(e.encoding, 'utf8');
      assert.match(e.body, /^\d{1,4}$/);
      assert.equal(e.truncated, e.bodyBytes > 4);
    }
  });

  test('a channel and a sink can be tapped, by name or as kind:name', async () => {
    assert.deepEqual((await tap('channel:c2', 2)).map((e) => [e.kind, e.component]), [['channel', 'c2'], ['channel', 'c2']]);
    assert.deepEqual((await tap('k1', 2)).map((e) => [e.kind, e.component]), [['sink', 'k1'], ['sink', 'k1']]);
  });

  test('at most perSecond events are sent per second', async () => {
    const start = Date.now();
    const events = await tap('c1', 6, 3);
    assert.equal(events.length, 6);
    assert.ok(Date.now() - start >= 900, 'six events at three per second take more than one window');
    const windows = new Map<string, number>();
    for (const e of events) windows.set(e.time.slice(0, 19), (windows.get(e.time.slice(0, 19)) ?? 0) + 1);
    assert.ok([...windows.values()].every((n) => n <= 3), JSON.stringify([...windows]));
  });

  test('nothing stays hooked once the reader is gone', async () => {
    await tap('r1', 1);
    await tap('k1', 1);
    await new Promise((r) => setTimeout(r, 100));
    const t = agent.running!;
    assert.equal(t.sources[0]!.processor.tap, undefined);
    const k1 = t.runners[0]!.processor.sinks[0]!.sink as BatchingSink;
    assert.ok(k1 instanceof BatchingSink);
    assert.equal(k1.tap, undefined);
  });

  test('a tap follows its sink across a reload that rebuilds it', async () => {
    const lines: TappedEvent[] = [];
    const reading = readTap({ url, component: 'k1', perSecond: 100, previewBytes: 16, count: 400 }, (l) => lines.push(JSON.parse(l)));
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    const old = agent.running!.runners[0];
    await agent.reload(loadConfig({ files: ['tap'], agent: 'a1', text: config(10) }));
    assert.notEqual(agent.running!.runners[0], old);
    const seen = lines.length;
    await reading;
    assert.ok(lines.length > seen);
  });

  test('an unknown component is refused with the list of components', async () => {
    await assert.rejects(tap('nope', 1), (err) => isSluiceError(err, 'SLUICE_AGENT_TAP') && err.message === 'No component "nope" to tap; components: source:r1, channel:c1, channel:c2, sink:k1, sink:k2.');
  });

  test('without --admin the endpoint refuses to tap', async () => {
    const res = await fetch(`http://127.0.0.1:${plain.port}/tap?component=r1`);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /start the agent with --admin/);
  });
});
