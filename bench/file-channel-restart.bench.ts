/**
 * File channel restart time with a large backlog. A child process fills a channel with `events` 500-byte
 * events in put batches of `batch`, writes a checkpoint, puts `tail` more (what a crash between two
 * checkpoints leaves to replay), and is killed with SIGKILL. This process then times start(): reading
 * the checkpoint plus replaying the tail. Restart time grows with the number of queued batches (the
 * checkpoint holds 24 bytes per batch) and with the bytes written since the last checkpoint, not with
 * the number of events. Last, it drains the backlog, read back from the data files, to time that too.
 *
 *   npx tsx bench/file-channel-restart.bench.ts [events, default 2000000] [batch, default 1000] [tail, default 500000]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileChannel } from '../src/channels/file/channel.ts';
import { fileChannelConfig, fileChannelOptions } from '../src/channels/file/options.ts';
import { parseOptions } from '../src/config/schema.ts';
import { withTransaction } from '../src/core/channel.ts';
import type { Event } from '../src/core/event.ts';
import { type Logger, silentLogger } from '../src/core/logger.ts';
import { pino } from 'pino';
import { ChannelCounter } from '../src/core/metrics.ts';

function channel(dir: string, logger: Logger = silentLogger): FileChannel {
  const props = { checkpointDir: join(dir, 'checkpoint'), dataDirs: join(dir, 'data'), capacity: '100000000', transactionCapacity: '10000', checkpointOnClose: 'false' };
  const { options } = parseOptions(fileChannelOptions, new Map(Object.entries(props).map(([k, value]) => [k, { value }])));
  return new FileChannel('c1', fileChannelConfig(options, { agent: 'a1', name: 'c1' }), new ChannelCounter('c1'), logger);
}

async function fill(dir: string, events: number, batch: number, tail: number): Promise<void> {
  const ch = channel(dir);
  await ch.start();
  const body = Buffer.alloc(500, 0x61);
  const list: Event[] = Array.from({ length: batch }, () => ({ headers: {}, body }));
  const put = async (n: number) => {
    // Four puts in flight, as four sources would have: group commit keeps the fill fast.
    const lanes = Array.from({ length: 4 }, async (_, lane) => {
      for (let i = lane * batch; i < n; i += 4 * batch) await withTransaction(ch.beginPut(), (tx) => tx.put(list, null));
    });
    await Promise.all(lanes);
  };
  await put(events);
  await ch.checkpoint();
  await put(tail);
  process.send!('filled');
  await new Promise(() => undefined);
}

async function main(): Promise<void> {
  const [events = 2_000_000, batch = 1000, tail = 500_000] = process.argv.slice(2).map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-restart-'));
  try {
    const filling = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'fill', dir, String(events), String(batch), String(tail)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(child, 'message');
    const fillSeconds = (Date.now() - filling) / 1000;
    child.kill('SIGKILL');
    await once(child, 'exit');
    let replayedBytes = 0;
    const logger = pino({ level: 'info' }, { write: (line: string) => (replayedBytes = JSON.parse(line).replayedBytes ?? replayedBytes) });
    const ch = channel(dir, logger);
    const t0 = performance.now();
    await ch.start();
    const startMs = performance.now() - t0;
    const size = ch.size();
    const heapMB = Math.round(process.memoryUsage().heapUsed / 1e6);
    const t1 = performance.now();
    let drained = 0;
    for (;;) {
      const n = (await withTransaction(ch.beginTake(), (tx) => tx.take(10000))).length;
      if (n === 0) break;
      drained += n;
    }
    const drainSeconds = (performance.now() - t1) / 1000;
    await ch.stop();
    console.log(
      JSON.stringify({
        queued: size,
        batch,
        fillEventsPerSec: Math.round((events + tail) / fillSeconds),
        restartMs: Math.round(startMs),
        replayedMB: Math.round(replayedBytes / 1e6),
        drainFromDiskEventsPerSec: Math.round(drained / drainSeconds),
        heapMBAfterStart: heapMB,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'fill') {
  const [dir, events, batch, tail] = process.argv.slice(3);
  await fill(dir!, Number(events), Number(batch), Number(tail));
} else await main();
