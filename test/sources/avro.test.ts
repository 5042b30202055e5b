import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AvroRpcClient } from '../../src/avro-rpc/client.ts';
import { parseOptions } from '../../src/config/schema.ts';
import { ChannelProcessor } from '../../src/core/channel-processor.ts';
import type { Source } from '../../src/core/component.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { SourceCounter } from '../../src/core/metrics.ts';
import { ReplicatingSelector } from '../../src/core/selectors.ts';
import { isSluiceError } from '../../src/errors.ts';
import { avroSource } from '../../src/sources/avro.ts';
import { bodies, events, memory } from '../helpers/components.ts';
import { freePort } from '../helpers/peers/net.ts';

const running: Source[] = [];
const clients: AvroRpcClient[] = [];
after(async () => {
  for (const c of clients) c.destroy();
  for (const s of running) await s.stop();
});

function build(props: Record<string, string>, channel = memory('c1', 1000, 100, 0)) {
  const parsed = parseOptions(avroSource.options, new Map(Object.entries(props).map(([k, v]) => [k, { value: v }])));
  assert.deepEqual(parsed.errors, []);
  const counter = new SourceCounter('r1');
  const processor = new ChannelProcessor(new ReplicatingSelector([channel]), undefined, silentLogger);
  const ctx = { agent: 'a1', name: 'r1', logger: silentLogger, processor, counter, maxBatch: channel.transactionCapacity };
  return { source: avroSource.create(parsed.options, ctx), counter, channel };
}

async function started(props: Record<string, string> = {}, channel = memory('c1', 1000, 100, 0)) {
  const port = await freePort();
  const built = build({ bind: '127.0.0.1', port: String(port), ...props }, channel);
  await built.source.start();
  running.push(built.source);
  const client = await AvroRpcClient.connect({ host: '127.0.0.1', port });
  clients.push(client);
  return { ...built, client };
}

test('puts each call into the channel and answers OK, with Flume counters', async () => {
  const { client, channel, counter } = await started();
  assert.equal(await client.appendBatch(events(50)), 'OK');
  assert.equal(await client.append(events(1, 50)[0]!), 'OK');
  assert.equal(channel.size(), 51);
  const tx = channel.beginTake();
  assert.deepEqual(bodies(await tx.take(100)), events(51).map((e) => e.body.toString()));
  await tx.commit();
  assert.equal(counter.eventReceived, 51);
  assert.equal(counter.eventAccepted, 51);
  assert.equal(counter.appendBatchAccepted, 1);
  assert.equal(counter.appendAccepted, 1);
  assert.equal(counter.openConnections, 1);
});

test('answers FAILED when the channel is full or the batch exceeds its transactionCapacity', async () => {
  const { client, channel, counter } = await started({}, memory('small', 10, 10, 0));
  assert.equal(await client.appendBatch(events(10)), 'OK');
  assert.equal(await client.appendBatch(events(1)), 'FAILED');
  await channel.beginTake().take(10);
  assert.equal(await client.appendBatch(events(11)), 'FAILED');
  assert.equal(counter.channelWriteFail, 2);
  assert.equal(counter.eventAccepted, 10);
  assert.equal(client.alive, true, 'FAILED is an answer, not a broken connection');
});

test('a deflate source talks to deflate senders and drops plain ones', async () => {
  const port = await freePort();
  const { source, channel } = build({ bind: '127.0.0.1', port: String(port), 'compression-type': 'deflate' });
  await source.start();
  running.push(source);
  await assert.rejects(AvroRpcClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 2000 }));
  const deflating = await AvroRpcClient.connect({ host: '127.0.0.1', port, compression: 'deflate' });
  clients.push(deflating);
  assert.equal(await deflating.appendBatch(events(3)), 'OK');
  assert.equal(channel.size(), 3);
});

test('refuses ssl without a keystore and ipFilter without rules when built', () => {
  assert.throws(
    () => build({ bind: '127.0.0.1', port: '1', ssl: 'true' }),
    (e) => isSluiceError(e, 'SLUICE_CONFIG_MISSING_KEY') && /keystore/.test(e.message),
  );
  assert.throws(() => build({ bind: '127.0.0.1', port: '1', ipFilter: 'true' }), (e) => isSluiceError(e, 'SLUICE_CONFIG_MISSING_KEY'));
});

test('stop closes the listener', async () => {
  const port = await freePort();
  const { source } = build({ bind: '127.0.0.1', port: String(port) });
  await source.start();
  await source.stop();
  await assert.rejects(AvroRpcClient.connect({ host: '127.0.0.1', port }), (e) => isSluiceError(e, 'SLUICE_RPC_CLOSED'));
});

test('with ack = delivered, answers OK only after a sink has delivered the events', async () => {
  const { client, channel } = await started({ ack: 'delivered' });
  let answered = false;
  const answer = client.appendBatch(events(5)).then((s) => {
    answered = true;
    return s;
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(channel.size(), 5, 'the events are in the channel');
  assert.equal(answered, false, 'but the sender is not answered yet');
  const tx = channel.beginTake();
  await tx.take(5);
  await tx.rollback();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(answered, false, 'a rolled-back take does not count');
  const again = channel.beginTake();
  await again.take(5);
  await again.commit();
  assert.equal(await answer, 'OK');
});
