import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChannelProcessor } from '../../src/core/channel-processor.ts';
import type { Interceptor } from '../../src/core/interceptor.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { LoadBalancingSelector, MultiplexingSelector, ReplicatingSelector } from '../../src/core/selectors.ts';
import { isSluiceError } from '../../src/errors.ts';
import { bodies, CollectingSink, drain, events, memory } from '../helpers/components.ts';

describe('ChannelProcessor and selectors', () => {
  test('replicating: every required channel gets the batch; the token waits for both sinks', async () => {
    const fast = memory('fast');
    const slow = memory('slow');
    const p = new ChannelProcessor(new ReplicatingSelector([fast, slow]), undefined, silentLogger);
    const token = await p.processBatch(events(5));
    assert.equal(fast.size(), 5);
    assert.equal(slow.size(), 5);
    await drain(new CollectingSink(fast));
    assert.equal(token.isDelivered, false, 'the slow channel has not delivered yet');
    await drain(new CollectingSink(slow));
    assert.equal(token.isDelivered, true);
  });

  test('replicating with an optional channel: the token does not wait for it, and its failure is ignored', async () => {
    const req = memory('req');
    const opt = memory('opt', 2, 2, 0);
    const p = new ChannelProcessor(new ReplicatingSelector([req, opt], [opt]), undefined, silentLogger);
    const token = await p.processBatch(events(2));
    await drain(new CollectingSink(req));
    assert.equal(token.isDelivered, true);
    await p.processBatch(events(1, 2));
    assert.equal(opt.size(), 2, 'the full optional channel skipped the batch');
    assert.equal(req.size(), 1);
  });

  test('a full required channel rejects the batch so the source can retry it', async () => {
    const ch = memory('c', 3, 3, 0);
    const p = new ChannelProcessor(new ReplicatingSelector([ch]), undefined, silentLogger);
    await p.processBatch(events(3));
    await assert.rejects(p.processBatch(events(1)), (e) => isSluiceError(e, 'SLUICE_CHANNEL_FULL'));
    assert.equal(ch.size(), 3);
  });

  test('multiplexing routes by header, uses the default for missing or unmapped values, and honours optional channels', async () => {
    const us = memory('us');
    const eu = memory('eu');
    const def = memory('def');
    const audit = memory('audit');
    const sel = new MultiplexingSelector([us, eu, def, audit], 'region', new Map([
      ['us', { required: [us], optional: [audit] }],
      ['eu', { required: [eu], optional: [] }],
    ]), { required: [def], optional: [] });
    const p = new ChannelProcessor(sel, undefined, silentLogger);
    const regions = ['us', 'eu', 'xx', undefined, 'us'];
    const token = await p.processBatch(events(5, 0, (i): Record<string, string> => (regions[i] ? { region: regions[i]! } : {})));
    assert.equal(us.size(), 2);
    assert.equal(eu.size(), 1);
    assert.equal(def.size(), 2);
    assert.equal(audit.size(), 2);
    for (const ch of [us, eu, def]) await drain(new CollectingSink(ch));
    assert.equal(token.isDelivered, true, 'the optional audit channel does not hold the batch back');
  });

  test('load_balancing selector spreads events round robin', async () => {
    const a = memory('a');
    const b = memory('b');
    const p = new ChannelProcessor(new LoadBalancingSelector([a, b], 'round_robin'), undefined, silentLogger);
    await p.processBatch(events(5));
    assert.equal(a.size(), 3);
    assert.equal(b.size(), 2);
  });

  test('events dropped by an interceptor count as delivered', async () => {
    const ch = memory();
    const dropOdd: Interceptor = { intercept: (list) => list.filter((e) => Number(e.body.toString()) % 2 === 0) };
    const p = new ChannelProcessor(new ReplicatingSelector([ch]), dropOdd, silentLogger);
    const token = await p.processBatch(events(4));
    const sink = new CollectingSink(ch);
    await drain(sink);
    assert.deepEqual(bodies(sink.delivered), ['0', '2']);
    assert.equal(token.isDelivered, true);
    const all = await p.processBatch([{ headers: {}, body: Buffer.from('1') }]);
    assert.equal(all.isDelivered, true, 'a batch dropped entirely is delivered at once');
  });

  test('a failed delivery keeps the batch undelivered until a retry succeeds', async () => {
    const ch = memory();
    const p = new ChannelProcessor(new ReplicatingSelector([ch]), undefined, silentLogger);
    const token = await p.processBatch(events(3));
    const sink = new CollectingSink(ch);
    sink.fail = true;
    await assert.rejects(sink.process());
    assert.equal(token.isDelivered, false);
    assert.equal(ch.size(), 3, 'the failed batch is back in the channel');
    sink.fail = false;
    await drain(sink);
    assert.equal(token.isDelivered, true);
    assert.deepEqual(bodies(sink.delivered), ['0', '1', '2']);
  });
});

test('a batch retried after a full channel is not intercepted twice', async () => {
  const ch = memory('c', 2, 2, 0);
  let calls = 0;
  const suffix: Interceptor = {
    intercept: (list) => {
      calls++;
      for (const e of list) e.body = Buffer.concat([e.body, Buffer.from('!')]);
      return list;
    },
  };
  const p = new ChannelProcessor(new ReplicatingSelector([ch]), suffix, silentLogger);
  await p.processBatch(events(2));
  const batch = events(2, 2);
  await assert.rejects(p.processBatch(batch));
  await drain(new CollectingSink(ch));
  await p.processBatch(batch);
  assert.equal(calls, 2, 'the retry reused the first interception');
  const sink = new CollectingSink(ch);
  await drain(sink);
  assert.deepEqual(bodies(sink.delivered), ['2!', '3!']);
});
