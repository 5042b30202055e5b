/** A file channel in a temporary directory, built the way an agent builds it (option table, descriptor). */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileChannel } from '../../../src/channels/file/index.ts';
import type { FileChannel } from '../../../src/channels/file/channel.ts';
import { parseOptions } from '../../../src/config/schema.ts';
import type { Event } from '../../../src/core/event.ts';
import { silentLogger, type Logger } from '../../../src/core/logger.ts';
import { ChannelCounter } from '../../../src/core/metrics.ts';
import { withTransaction } from '../../../src/core/channel.ts';
import { pino } from 'pino';
import { FILE_HEADER_SIZE, FRAME_HEADER_SIZE, readFrameHeader } from '../../../src/channels/file/format.ts';

export function tempDir(name = 'fc'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Channel `name` with its checkpoint in `<dir>/checkpoint` and data in `<dir>/data`, plus any other keys. */
export function makeChannel(dir: string, props: Record<string, string> = {}, logger: Logger = silentLogger, name = 'c1'): FileChannel {
  const all = { checkpointDir: join(dir, 'checkpoint'), dataDirs: join(dir, 'data'), 'keep-alive': '0', ...props };
  const parsed = parseOptions(fileChannel.options, new Map(Object.entries(all).map(([k, value]) => [k, { value }])));
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => `${e.key}: ${e.expected}`).join('; '));
  return fileChannel.create(parsed.options, { agent: 'a1', name, logger, counter: new ChannelCounter(name) }) as FileChannel;
}

export function events(n: number, from = 0, size = 0): Event[] {
  return Array.from({ length: n }, (_, i) => ({ headers: { n: String(from + i) }, body: Buffer.from(String(from + i).padEnd(size, '.')) }));
}

export async function put(ch: FileChannel, batch: Event[]): Promise<void> {
  await withTransaction(ch.beginPut(), (tx) => tx.put(batch, null));
}

/** Takes and commits up to `max` events. */
export async function take(ch: FileChannel, max: number): Promise<Event[]> {
  return withTransaction(ch.beginTake(), (tx) => tx.take(max));
}

/** Takes everything (in transactionCapacity steps), committing. */
export async function drainAll(ch: FileChannel, step = 100): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const got = await take(ch, step);
    if (got.length === 0) return out;
    for (const e of got) out.push(e.body.toString().replace(/\.+$/, ''));
  }
}

export function range(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => String(from + i));
}

/** A logger that keeps every line, to check what the channel says. */
export function captureLogger(): { logger: Logger; lines: Array<{ level: number; msg: string } & Record<string, unknown>> } {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

let copies = 0;
/**
 * The directory as a kill -9 would leave it: a copy taken while the channel runs (every write has
 * returned, so the copy holds what the page cache holds). The copy's lock names this process but a
 * directory no channel here holds, so it counts as stale, as after a real crash.
 */
export function crashCopy(dir: string): string {
  const to = `${dir}-crash${++copies}`;
  cpSync(dir, to, { recursive: true });
  return to;
}

/** Data file paths in `<dir>/data`, oldest first. */
export function dataFiles(dir: string): string[] {
  const data = join(dir, 'data');
  return readdirSync(data)
    .filter((f) => f.startsWith('sluice-log-'))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)))
    .map((f) => join(data, f));
}

/** Offsets and sizes of the frames of a data file. */
export function frames(path: string): Array<{ offset: number; size: number; records: number }> {
  const b = readFileSync(path);
  const out: Array<{ offset: number; size: number; records: number }> = [];
  for (let p = FILE_HEADER_SIZE; p < b.length; ) {
    const h = readFrameHeader(b, p);
    if (!h) break;
    out.push({ offset: p, size: FRAME_HEADER_SIZE + h.bodyLength, records: h.records });
    p += FRAME_HEADER_SIZE + h.bodyLength;
  }
  return out;
}

/** Properties of agent a1: seq source r1 → file channel c1 (dirs under `dir`) → null sink k1, plus `extra`. */
export function agentText(dir: string, extra: string[]): string {
  return [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = seq',
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = file',
    `a1.channels.c1.checkpointDir = ${dir}/cp`,
    `a1.channels.c1.dataDirs = ${dir}/data`,
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.channel = c1',
    ...extra,
  ].join('\n');
}
