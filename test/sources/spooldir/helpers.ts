/**
 * Shared by the spooldir tests: temp directories, readers driven to the end, and agents whose source
 * writes to memory channels the test drains itself, so it decides when each batch is delivered.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import avro from 'avsc';
import { pino } from 'pino';
import { Agent } from '../../../src/agent/agent.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Channel } from '../../../src/core/channel.ts';
import type { Event } from '../../../src/core/event.ts';
import type { SourceCounter } from '../../../src/core/metrics.ts';
import { ChunkedFile } from '../../../src/sources/spooldir/chunks.ts';
import { type Deserializer, type DeserializerFactory, type Position, START } from '../../../src/sources/spooldir/deserializer.ts';

export function tempDir(name = 'spooldir'): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface ReadResult {
  bodies: Buffer[];
  events: Event[];
  /** Position after each batch. */
  positions: Position[];
  splits: number[];
}

/** Reads a whole file with a deserializer in batches of `batch`. */
export async function readAll(path: string, make: DeserializerFactory, batch = 100, at: Position = START): Promise<ReadResult> {
  const file = await ChunkedFile.open(path, at.offset);
  const splits: number[] = [];
  const out: ReadResult = { bodies: [], events: [], positions: [], splits };
  try {
    const reader: Deserializer = await make({ file, at, headers: () => ({}), onSplit: (o) => splits.push(o) });
    for (;;) {
      const events = await reader.read(batch);
      if (events.length === 0) break;
      if (events.length > batch) throw new Error(`a batch of ${events.length} > ${batch}`);
      out.events.push(...events);
      out.bodies.push(...events.map((e) => e.body));
      out.positions.push(reader.position);
    }
  } finally {
    await file.close();
  }
  return out;
}

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface TestAgent {
  agent: Agent;
  logs: LogLine[];
  counter(): SourceCounter;
  channel(name?: string): Channel;
  /** Takes and commits (delivers) up to `max` events, waiting up to `waitMs` for the first. */
  take(max?: number, waitMs?: number, channel?: string): Promise<Event[]>;
  /** Takes until `n` events arrived or `ms` passed; every take is committed. */
  takeN(n: number, ms?: number, channel?: string): Promise<Event[]>;
  stop(): Promise<void>;
}

/**
 * An agent `a` with source `r` (type spooldir, the given properties) writing to memory channels
 * (default one, `c`, capacity 100000) and no sink: the test is the sink.
 */
export async function startAgent(
  props: Record<string, string | number | boolean>,
  o: { channels?: string[]; capacity?: number | Record<string, number>; extra?: string } = {},
): Promise<TestAgent> {
  const chans = o.channels ?? ['c'];
  const cap = (c: string) => (typeof o.capacity === 'object' ? (o.capacity[c] ?? 100000) : (o.capacity ?? 100000));
  const lines = [
    'a.sources = r',
    `a.channels = ${chans.join(' ')}`,
    'a.sources.r.type = spooldir',
    `a.sources.r.channels = ${chans.join(' ')}`,
    ...Object.entries(props).map(([k, v]) => `a.sources.r.${k} = ${v}`),
    ...chans.flatMap((c) => [`a.channels.${c}.type = memory`, `a.channels.${c}.capacity = ${cap(c)}`, `a.channels.${c}.transactionCapacity = ${Math.min(1000, cap(c))}`, `a.channels.${c}.keep-alive = 0`]),
    o.extra ?? '',
  ];
  const logs: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)) as LogLine);
      cb();
    },
  });
  const agent = new Agent(loadConfig({ files: ['test.properties'], agent: 'a', text: lines.join('\n') }), { logger: pino({ level: 'debug' }, stream) });
  await agent.start();
  const t = agent.running!;
  const channel = (name = chans[0]!) => t.channels.get(name)!;
  const take = async (max = 1000, waitMs = 0, name?: string) => {
    const tx = channel(name).beginTake();
    const events = await tx.take(max, waitMs);
    await tx.commit();
    return events;
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await agent.stop(0);
  };
  after(stop);
  return {
    agent,
    logs,
    counter: () => t.sources[0]!.counter,
    channel,
    take,
    async takeN(n, ms = 10_000, name) {
      const out: Event[] = [];
      const deadline = Date.now() + ms;
      while (out.length < n && Date.now() < deadline) out.push(...(await take(Math.min(1000, n - out.length), 50, name)));
      return out;
    },
    stop,
  };
}

/** Polls `check` every 20 ms until it returns true, or fails after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await delay(20);
  }
}

export const text = (events: readonly Event[]): string[] => events.map((e) => e.body.toString());

/** An Avro object container file of `records`, as bytes. */
export async function avroContainer(
  type: avro.Type,
  records: unknown[],
  o: { codec?: 'null' | 'deflate'; blockSize?: number; metadata?: Record<string, Buffer> } = {},
): Promise<Buffer> {
  // avsc's typings leave out `metadata`, which its BlockEncoder writes into the header.
  const opts = { codec: o.codec ?? 'null', blockSize: o.blockSize ?? 65536, metadata: o.metadata } as ConstructorParameters<typeof avro.streams.BlockEncoder>[1];
  const enc = new avro.streams.BlockEncoder(type, opts);
  const chunks: Buffer[] = [];
  enc.on('data', (c: Buffer) => chunks.push(c));
  const done = once(enc, 'end');
  for (const r of records) enc.write(r);
  enc.end();
  await done;
  return Buffer.concat(chunks);
}
