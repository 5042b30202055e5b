/**
 * The human-readable log format (`--log-format text`): each pino JSON line becomes
 * `2026-11-26T13:58:01.123Z INFO  sink k1 (avro): Sink failed; … retryInMs=500 err="connect ECONNREFUSED"`.
 * A small formatter instead of pino-pretty, which would pull a dozen packages into production.
 */
import { writeSync } from 'node:fs';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields shown in the line's head rather than as key=value. */
const HEAD = new Set(['level', 'time', 'msg', 'kind', 'name', 'type']);

function value(v: unknown): string {
  // pino serializes errors as { type, message, stack }: the message is what a reader needs.
  if (typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string') return JSON.stringify((v as { message: string }).message);
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? 'null';
}

export function formatLine(json: string, color = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json);
  } catch {
    return json;
  }
  const n = Number(o['level']);
  const level = (LEVELS[n] ?? String(o['level'])).padEnd(5);
  const who = o['kind'] && o['name'] ? `${o['kind']} ${o['name']}${o['type'] ? ` (${o['type']})` : ''}: ` : '';
  const rest = Object.entries(o)
    .filter(([k]) => !HEAD.has(k))
    .map(([k, v]) => ` ${k}=${value(v)}`)
    .join('');
  const lvl = color ? `\x1b[${COLORS[n] ?? '0'}m${level}\x1b[0m` : level;
  return `${o['time'] ?? ''} ${lvl} ${who}${o['msg'] ?? ''}${rest}\n`;
}

/** A pino destination writing text lines synchronously to a file descriptor. */
export function textDestination(fd: number): { write(line: string): void } {
  const color = fd === 2 ? process.stderr.isTTY === true : fd === 1 ? process.stdout.isTTY === true : false;
  return { write: (line) => void writeSync(fd, formatLine(line, color)) };
}
