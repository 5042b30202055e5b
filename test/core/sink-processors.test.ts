import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../src/core/logger.ts';
import { FailoverSinkProcessor, LoadBalancingSinkProcessor } from '../../src/core/sink-processors.ts';
import { SinkRunner } from '../../src/core/sink-runner.ts';
import { isSluiceError } from '../../src/errors.ts';
import { CollectingSink, events, memory, ScriptedSink } from '../helpers/components.ts';
import { withTransaction } from '../../src/core/channel.ts';

describe('failover sink processor', () => {
  test('uses the highest priority sink, fails over on error, and restores it after the cool-down', async () => {
    let now = 0;
    const a = new ScriptedSink(() => 'READY');
    const b = new ScriptedSink(() => 'READY');
    const p = new FailoverSinkProcessor([{ name: 'a', sink: a }, { name: 'b', sink: b }], { priority: { a: '10', b: '5' }, maxpenalty: 30000 }, silentLogger, () => now);
    await p.process();
    assert.equal(a.calls, 1);
    a.next = () => new Error('down');
    assert.equal(await p.process(), 'READY');
    assert.equal(b.calls, 1, 'the same call failed over to b');
    assert.equal(p.active(), 'b');
    now += 1000;
    await p.process();
    assert.equal(a.calls, 2, 'a is still cooling down (2 s after the first failure)');
    a.next = () => 'READY';
    now += 1500;
    await p.process();
    assert.equal(p.active(), 'a', 'a recovered after its cool-down');
  });

  test('without priorities the order of the sinks list decides (documented deviation from Flume hash order)', async () => {
    const a = new ScriptedSink(() => 'READY');
    const b = new ScriptedSink(() => 'READY');
    const p = new FailoverSinkProcessor([{ name: 'k2', sink: b }, { name: 'k1', sink: a }], { priority: {}, maxpenalty: 30000 }, silentLogger);
    assert.equal(p.active(), 'k2');
  });

  test('all sinks failing raises SLUICE_SINK_ALL_FAILED', async () => {
    const p = new FailoverSinkProcessor([{ name: 'a', sink: new ScriptedSink(() => new Error('x')) }], { priority: {}, maxpenalty: 30000 }, silentLogger);
    await assert.rejects(p.process(), (e) => isSluiceError(e, 'SLUICE_SINK_ALL_FAILED'));
  });

  test('two sinks with the same priority are refused instead of dropping one as Flume does', () => {
    assert.throws(() => new FailoverSinkProcessor([{ name: 'a', sink: new ScriptedSink(() => 'READY') }, { name: 'b', sink: new ScriptedSink(() => 'READY') }], { priority: { a: '1', b: '1' }, maxpenalty: 1 }, silentLogger));
  });
});

describe('load_balance sink processor', () => {
  test('round robin rotates the starting sink per batch', async () => {
    const a = new ScriptedSink(() => 'READY');
    const b = new ScriptedSink(() => 'READY');
    const p = new LoadBalancingSinkProcessor([{ name: 'a', sink: a }, { name: 'b', sink: b }], { selector: 'round_robin', backoff: false, 'selector.maxTimeOut': 30000 }, silentLogger);
    for (let i = 0; i < 4; i++) await p.process();
    assert.equal(a.calls, 2);
    assert.equal(b.calls, 2);
  });

  test('with backoff a failed sink is skipped until its exclusion ends', async () => {
    let now = 0;
    const a = new ScriptedSink(() => new Error('down'));
    const b = new ScriptedSink(() => 'READY');
    const p = new LoadBalancingSinkProcessor([{ name: 'a', sink: a }, { name: 'b', sink: b }], { selector: 'round_robin', backoff: true, 'selector.maxTimeOut': 30000 }, silentLogger, () => now);
    await p.process();
    assert.equal(a.calls, 1);
    for (let i = 0; i < 4; i++) await p.process();
    assert.equal(a.calls, 1, 'a is excluded for 2 s');
    now += 2001;
    await p.process();
    await p.process();
    assert.equal(a.calls, 2);
  });
});

describe('SinkRunner', () => {
  test('retries a failing sink with backoff without losing events, and drains on stop', async () => {
    const ch = memory();
    await withTransaction(ch.beginPut(), (tx) => tx.put(events(50), null));
    const sink = new CollectingSink(ch, 10);
    sink.fail = true;
    const runner = new SinkRunner('k1', { sinks: [{ name: 'k1', sink }], process: () => sink.process() }, silentLogger, { idleBackoffMs: 5, maxIdleBackoffMs: 20, errorBackoffMs: 10, maxBackoffMs: 40 });
    await runner.start();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(runner.errors >= 2, 'the runner retried');
    assert.equal(ch.size(), 50);
    sink.fail = false;
    await runner.stop(2000);
    assert.equal(sink.delivered.length, 50, 'stop drained the channel');
    assert.equal(ch.size(), 0);
  });
});
