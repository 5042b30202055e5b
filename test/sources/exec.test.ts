import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import type { Source } from '../../src/core/component.ts';
import type { Event } from '../../src/core/event.ts';
import type { Logger } from '../../src/core/logger.ts';
import { execSource } from '../../src/sources/exec.ts';
import { bodies, memory } from '../helpers/components.ts';
import { options, sourceContext } from '../helpers/configure.ts';

const sources: Source[] = [];
after(async () => {
  for (const s of sources) await s.stop();
});

async function exec(props: Record<string, string>, capacity = 10_000, logger?: Logger, keepAliveSeconds = 0) {
  const channel = memory('c1', capacity, 100, keepAliveSeconds);
  const ctx = sourceContext(channel, logger);
  const batches: number[] = [];
  const processBatch = ctx.processor.processBatch.bind(ctx.processor);
  ctx.processor.processBatch = (events: Event[]) => {
    batches.push(events.length);
    return processBatch(events);
  };
  const source = execSource.create(options(execSource, { shell: '/bin/sh -c', ...props }), ctx);
  sources.push(source);
  await source.start();
  const taken: Event[] = [];
  const take = async () => {
    const tx = channel.beginTake();
    const got = await tx.take(100);
    await tx.commit();
    taken.push(...got);
    return got.length;
  };
  /** Takes from the channel until `n` events were taken in all. */
  const takeUntil = async (n: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (taken.length < n) {
      if (Date.now() > deadline) assert.fail(`took ${taken.length} of ${n} events`);
      if ((await take()) === 0) await delay(20);
    }
    return bodies(taken);
  };
  return { source, channel, counter: ctx.counter, batches, takeUntil, taken };
}

test('every stdout line is an event; lines end at \\n, \\r or \\r\\n as Java readLine ends them', async () => {
  const { takeUntil } = await exec({ command: "printf 'a\\nb\\r\\nc\\rd\\n\\ne'" });
  assert.deepEqual(await takeUntil(6), ['a', 'b', 'c', 'd', '', 'e']);
});

test('lines are put in batches of batchSize, the rest when the command ends', async () => {
  const { takeUntil, batches, counter } = await exec({ command: 'seq 1 45', batchSize: '20' });
  assert.deepEqual(await takeUntil(45), Array.from({ length: 45 }, (_, i) => String(i + 1)));
  assert.deepEqual(batches, [20, 20, 5]);
  assert.deepEqual([counter.eventReceived, counter.eventAccepted, counter.appendBatchAccepted], [45, 45, 3]);
});

test('a batch that is not full is put once batchTimeout has passed', async () => {
  const { takeUntil, channel } = await exec({ command: 'echo one; sleep 5; echo two', batchTimeout: '200' });
  const started = Date.now();
  assert.deepEqual(await takeUntil(1, 2000), ['one']);
  assert.ok(Date.now() - started < 1500, 'put while the command is still running');
  assert.equal(channel.size(), 0);
});

test('restart runs the command again restartThrottle ms after it ends', async () => {
  const { takeUntil, taken } = await exec({ command: 'echo run', restart: 'true', restartThrottle: '300', batchTimeout: '50' });
  await takeUntil(3, 3000);
  await delay(500);
  const runs = taken.length + 0;
  assert.ok(runs >= 3 && runs <= 7, `${runs} runs in about 1.4 s with a 300 ms throttle`);
});

test('without restart the command runs once', async () => {
  const { takeUntil, channel } = await exec({ command: 'echo once', batchTimeout: '50' });
  assert.deepEqual(await takeUntil(1), ['once']);
  await delay(400);
  assert.equal(channel.size(), 0);
});

test('logStdErr logs each stderr line at info; without it stderr is not read', async () => {
  const logged: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const { takeUntil } = await exec({ command: 'echo oops >&2; echo out', logStdErr: 'true' }, 100, logger);
  await takeUntil(1);
  await delay(100);
  assert.ok(logged.some((l) => l.level === 30 && l.msg === "Command stderr line 1: 'oops'"), JSON.stringify(logged));
  const quiet: Array<{ msg: string }> = [];
  const q = await exec({ command: 'echo "hid""den" >&2; echo out' }, 100, pino({ level: 'info' }, { write: (line: string) => void quiet.push(JSON.parse(line)) }));
  await q.takeUntil(1);
  assert.ok(!quiet.some((l) => l.msg.includes('hidden')));
});

test('charset decodes the output and encodes the bodies in that charset', async () => {
  const { takeUntil, taken } = await exec({ command: "printf 'caf\\351\\n'", charset: 'ISO-8859-1' });
  await takeUntil(1);
  assert.deepEqual(taken[0]!.body, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
});

test('a full channel pauses reading the command instead of losing lines', async () => {
  const total = 100_000;
  // keep-alive 1 s: a put waits that long for room before it fails, as puts on a memory channel do.
  const { takeUntil, counter, channel } = await exec({ command: `seq 1 ${total}`, batchSize: '100' }, 1000, undefined, 1);
  await delay(1200);
  assert.equal(channel.size(), 1000);
  assert.ok(counter.eventReceived < total, `read ${counter.eventReceived} lines while the channel was full`);
  assert.ok(counter.channelWriteFail > 0);
  const got = await takeUntil(total, 60_000);
  assert.equal(got.length, total);
  for (let i = 0; i < total; i++) if (got[i] !== String(i + 1)) assert.fail(`line ${i + 1} is ${got[i]}`);
});

test('stop() ends the command and every process it started', async () => {
  const { source, takeUntil } = await exec({ command: 'echo $$; sleep 30 & wait', batchTimeout: '50' });
  const [pid] = await takeUntil(1);
  const started = Date.now();
  await source.stop();
  assert.ok(Date.now() - started < 3000);
  // The background `sleep 30` was signalled too: its group is gone within moments, not 30 s.
  const gone = async () => {
    for (let i = 0; i < 40; i++) {
      try {
        process.kill(-Number(pid), 0);
      } catch (err) {
        return (err as NodeJS.ErrnoException).code;
      }
      await delay(50);
    }
    return 'still running';
  };
  assert.equal(await gone(), 'ESRCH');
});

test('a command that cannot be run is logged, and the source keeps running without it', async () => {
  const logged: Array<{ msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const channel = memory();
  const source = execSource.create(options(execSource, { command: '/no/such/command --flag' }), sourceContext(channel, logger));
  await source.start();
  await delay(200);
  await source.stop();
  assert.ok(logged.some((l) => l.msg.startsWith('Command "/no/such/command --flag" could not be run: spawn /no/such/command ENOENT')), JSON.stringify(logged));
});

test('keys and defaults are those of Flume', () => {
  const o = options(execSource, { command: 'x' });
  assert.deepEqual(
    [o['shell'], o['restart'], o['restartThrottle'], o['logStdErr'], o['batchSize'], o['batchTimeout'], o['charset']],
    [undefined, false, 10000, false, 20, 3000, 'UTF-8'],
  );
  assert.equal(execSource.batchSizeKey, 'batchSize');
});
