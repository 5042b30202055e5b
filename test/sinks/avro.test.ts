import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AvroRpcServer } from '../../src/avro-rpc/server.ts';
import { parseOptions } from '../../src/config/schema.ts';
import type { Sink } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { SinkCounter } from '../../src/core/metrics.ts';
import { isSluiceError } from '../../src/errors.ts';
import { avroSink } from '../../src/sinks/avro.ts';
import { bodies, events, memory } from '../helpers/components.ts';
import { freePort } from '../helpers/peers/net.ts';

const servers: AvroRpcServer[] = [];
const sinks: Sink[] = [];
after(async () => {
  for (const s of sinks) await s.stop();
  await Promise.all(servers.map((s) => s.close(100)));
});

type Answer = 'OK' | 'FAILED' | 'UNKNOWN';

async function server(answer: () => Answer, received: Event[] = []) {
  const s = new AvroRpcServer({ host: '127.0.0.1', port: 0 }, async (batch) => {
    const status = answer();
    if (status === 'OK') received.push(...batch);
    return status;
  });
  servers.push(s);
  return { port: (await s.listen()).port, received };
}

async function sinkTo(port: number, props: Record<string, string> = {}) {
  const channel = memory('c1', 1000, 100, 0);
  // One batch in flight, as Flume, so each process() call delivers before it returns.
  const raw = { hostname: '127.0.0.1', port: String(port), 'batch-size': '10', 'max-in-flight': '1', ...props };
  const parsed = parseOptions(avroSink.options, new Map(Object.entries(raw).map(([k, v]) => [k, { value: v }])));
  assert.deepEqual(parsed.errors, []);
  const counter = new SinkCounter('k1');
  const sink = avroSink.create(parsed.options, { agent: 'a1', name: 'k1', logger: silentLogger, channel, counter });
  await sink.start();
  sinks.push(sink);
  const put = channel.beginPut();
  put.put(events(25), null);
  await put.commit();
  return { sink, channel, counter };
}

test('delivers batch-size events per call and commits on OK', async () => {
  const { port, received } = await server(() => 'OK');
  const { sink, channel, counter } = await sinkTo(port);
  assert.equal(await sink.process(), 'READY');
  assert.equal(await sink.process(), 'READY');
  assert.equal(await sink.process(), 'READY');
  assert.deepEqual(bodies(received), bodies(events(25)));
  assert.equal(channel.size(), 0);
  assert.equal(counter.connectionCreated, 1);
  assert.equal(counter.batchComplete, 2);
  assert.equal(counter.batchUnderflow, 1);
  assert.equal(counter.drainSuccess, 25);
});

test('a FAILED answer rolls back, drops the connection, and the batch is retried on a new one', async () => {
  const answers: Answer[] = ['FAILED', 'OK'];
  const { port, received } = await server(() => answers.shift() ?? 'OK');
  const { sink, channel, counter } = await sinkTo(port);
  await assert.rejects(sink.process(), (e) => isSluiceError(e, 'SLUICE_DELIVERY_FAILED') && /answered FAILED/.test(e.message));
  assert.equal(channel.size(), 25);
  assert.equal(counter.eventWriteFail, 1);
  assert.equal(counter.connectionClosed, 1);
  assert.equal(await sink.process(), 'READY');
  assert.deepEqual(bodies(received), bodies(events(10)));
  assert.equal(counter.connectionCreated, 2);
});

test('an unreachable destination counts a failed connection and keeps the events', async () => {
  const { sink, channel, counter } = await sinkTo(await freePort(), { 'connect-timeout': '1000' });
  await assert.rejects(sink.process(), (e) => isSluiceError(e, 'SLUICE_DELIVERY_FAILED') && /could not connect/.test(e.message));
  assert.equal(counter.connectionFailed, 1);
  assert.equal(channel.size(), 25);
});

test('reset-connection-interval reopens the connection before the next batch', async () => {
  const { port } = await server(() => 'OK');
  const { sink, counter } = await sinkTo(port, { 'reset-connection-interval': '1' });
  await sink.process();
  await new Promise((r) => setTimeout(r, 1050));
  await sink.process();
  assert.equal(counter.connectionCreated, 2);
  assert.equal(counter.connectionClosed, 1);
});

test('with max-in-flight > 1 several batches are on the wire at once and each commits on its own OK', async () => {
  let concurrent = 0;
  let peak = 0;
  const received: Event[] = [];
  const s = new AvroRpcServer({ host: '127.0.0.1', port: 0 }, async (batch) => {
    peak = Math.max(peak, ++concurrent);
    await new Promise((r) => setTimeout(r, 50));
    concurrent--;
    received.push(...batch);
    return 'OK';
  });
  servers.push(s);
  const { sink, channel, counter } = await sinkTo((await s.listen()).port, { 'max-in-flight': '3' });
  for (let i = 0; i < 3; i++) assert.equal(await sink.process(), 'READY');
  await sink.stop();
  assert.ok(peak >= 2, `peak concurrency ${peak}`);
  assert.deepEqual(bodies(received).sort(), bodies(events(25)).sort());
  assert.equal(channel.size(), 0);
  assert.equal(counter.drainSuccess, 25);
});
