import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Source } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import { isSluiceError } from '../../src/errors.ts';
import { netcatSource } from '../../src/sources/netcat.ts';
import { bodies, memory } from '../helpers/components.ts';
import { options, problems, sourceContext } from '../helpers/configure.ts';
import { freePort } from '../helpers/peers/net.ts';

const sources: Source[] = [];
after(async () => {
  for (const s of sources) await s.stop();
});

async function netcat(props: Record<string, string> = {}, capacity = 1000) {
  const port = await freePort();
  const channel = memory('c1', capacity, 100, 0);
  const ctx = sourceContext(channel);
  const batches: number[] = [];
  const processBatch = ctx.processor.processBatch.bind(ctx.processor);
  ctx.processor.processBatch = (events: Event[]) => {
    batches.push(events.length);
    return processBatch(events);
  };
  const source = netcatSource.create(options(netcatSource, { bind: '127.0.0.1', port: String(port), ...props }), ctx);
  await source.start();
  sources.push(source);
  const taken = async (max = 1000) => {
    const tx = channel.beginTake();
    const got = await tx.take(max);
    await tx.commit();
    return got;
  };
  return { port, channel, counter: ctx.counter, batches, taken };
}

interface Client {
  socket: Socket;
  /** Resolves with everything received once the received text has `lines` lines. */
  replies(lines: number): Promise<string>;
  /** Resolves with everything received once the server closed the connection. */
  closed(): Promise<string>;
}

async function client(port: number): Promise<Client> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  let isClosed = false;
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    for (const w of waiters.splice(0)) w();
  });
  socket.on('close', () => {
    isClosed = true;
    for (const w of waiters.splice(0)) w();
  });
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) assert.fail(`no answer; got ${JSON.stringify(received.toString())}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return received.toString();
  };
  return {
    socket,
    replies: (lines) => until(() => received.toString().split('\n').length - 1 >= lines),
    closed: () => until(() => isClosed),
  };
}

test('answers OK per line, in order, and puts lines that arrive together as one batch', async () => {
  const { port, taken, batches, counter } = await netcat();
  const c = await client(port);
  c.socket.write('first\nsecond\nthird\n');
  assert.equal(await c.replies(3), 'OK\nOK\nOK\n');
  assert.deepEqual(bodies(await taken()), ['first', 'second', 'third']);
  assert.deepEqual(batches, [3]);
  assert.deepEqual([counter.eventReceived, counter.eventAccepted, counter.openConnections], [3, 3, 1]);
  c.socket.destroy();
});

test('ack-every-event = false sends no answers but still puts the lines', async () => {
  const { port, taken } = await netcat({ 'ack-every-event': 'false' });
  const c = await client(port);
  c.socket.end('a\nb\n');
  assert.equal(await c.closed(), '');
  assert.deepEqual(bodies(await taken()), ['a', 'b']);
});

test('a full channel answers FAILED with the reason for every refused line, and later lines are OK again', async () => {
  const { port, taken, counter } = await netcat({}, 2);
  const c = await client(port);
  c.socket.write('a\n');
  assert.equal(await c.replies(1), 'OK\n');
  c.socket.write('b\nc\n');
  const answers = (await c.replies(3)).split('\n');
  assert.equal(answers[0], 'OK');
  for (const a of answers.slice(1, 3)) assert.match(a, /^FAILED: Channel "c1" is full/);
  assert.deepEqual(bodies(await taken()), ['a']);
  c.socket.write('d\n');
  assert.equal((await c.replies(4)).split('\n')[3], 'OK');
  assert.deepEqual(bodies(await taken()), ['d']);
  assert.equal(counter.channelWriteFail, 1);
  c.socket.destroy();
});

test('a line of max-line-length characters or more is refused and the connection closed, after the lines before it', async () => {
  const { port, taken, counter } = await netcat({ 'max-line-length': '10' });
  const c = await client(port);
  c.socket.write(`${'n'.repeat(9)}\n${'x'.repeat(10)}\nnever\n`);
  assert.equal(await c.closed(), 'OK\nFAILED: Event exceeds the maximum length (10 chars, including newline)\n');
  assert.deepEqual(bodies(await taken()), ['n'.repeat(9)]);
  assert.equal(counter.eventReadFail, 1);
});

test('a line still growing past max-line-length is refused before its end arrives', async () => {
  const { port, taken } = await netcat({ 'max-line-length': '10' });
  const c = await client(port);
  c.socket.write('y'.repeat(12));
  assert.match(await c.closed(), /^FAILED: Event exceeds the maximum length/);
  assert.equal((await taken()).length, 0);
});

test('a carriage return before the newline stays in the body, as in Flume', async () => {
  const { port, taken } = await netcat();
  const c = await client(port);
  c.socket.write('dos\r\n');
  await c.replies(1);
  assert.deepEqual(bodies(await taken()), ['dos\r']);
  c.socket.destroy();
});

test('a character split across two packets is decoded whole; the body is UTF-8', async () => {
  const { port, taken } = await netcat();
  const c = await client(port);
  const euro = Buffer.from('€\n');
  c.socket.write(euro.subarray(0, 2));
  await delay(50);
  c.socket.write(euro.subarray(2));
  await c.replies(1);
  assert.deepEqual((await taken())[0]!.body, Buffer.from('€'));
  c.socket.destroy();
});

test('encoding ISO-8859-1 decodes the client bytes and stores the text as UTF-8', async () => {
  const { port, taken } = await netcat({ encoding: 'iso-8859-1' });
  const c = await client(port);
  c.socket.write(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  assert.equal(await c.replies(1), 'OK\n');
  assert.deepEqual((await taken())[0]!.body, Buffer.from('café'));
  c.socket.destroy();
});

test('a last line without a newline is still an event when the client closes its side', async () => {
  const { port, taken } = await netcat();
  const c = await client(port);
  c.socket.end('one\ntwo');
  assert.equal(await c.closed(), 'OK\nOK\n');
  assert.deepEqual(bodies(await taken()), ['one', 'two']);
});

test('a burst of many lines is put in batches no larger than the channel transaction capacity, all answered in order', async () => {
  const { port, taken, batches } = await netcat({}, 10_000);
  const c = await client(port);
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
  c.socket.end(`${lines.join('\n')}\n`);
  assert.equal(await c.closed(), 'OK\n'.repeat(5000));
  const got: Event[] = [];
  for (let more = await taken(); more.length > 0; more = await taken()) got.push(...more);
  assert.deepEqual(bodies(got), lines);
  assert.ok(Math.max(...batches) <= 100, `batches ${batches.join(',')}`);
  assert.ok(batches.length < 5000, 'lines that arrive together share a batch');
});

test('stop() closes the port and the open connections', async () => {
  const { port } = await netcat();
  const c = await client(port);
  await sources.pop()!.stop();
  await c.closed();
  await assert.rejects(client(port));
});

test('a port in use fails start() with the bind and port in the message', async () => {
  const { port } = await netcat();
  const again = netcatSource.create(options(netcatSource, { bind: '127.0.0.1', port: String(port) }), sourceContext(memory()));
  await assert.rejects(again.start(), (err) => isSluiceError(err, 'SLUICE_SOURCE_FAILED') && err.message.includes(`port ${port}`));
});

test('bind and port are required; the other keys have Flume defaults', () => {
  assert.deepEqual(problems(netcatSource, {}).map((p) => [p.code, p.key]).sort(), [
    ['SLUICE_CONFIG_MISSING_KEY', 'bind'],
    ['SLUICE_CONFIG_MISSING_KEY', 'port'],
  ]);
  const o = options(netcatSource, { bind: '0.0.0.0', port: '4141' });
  assert.deepEqual([o['max-line-length'], o['ack-every-event'], o['encoding']], [512, true, 'UTF-8']);
  assert.equal(problems(netcatSource, { bind: 'h', port: '1', encoding: 'EBCDIC' })[0]?.code, 'SLUICE_CONFIG_BAD_VALUE');
});
