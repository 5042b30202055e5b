/**
 * Workloads and configurations shared by the scenarios: the baseline properties files of
 * test/peers/flume/bench (rewritten to this run's ports, directories and event counts, so Sluice and
 * Flume read the very same text), and a file of realistic 500-byte lines for the spooling sources.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './agents.ts';

/** Where generated data and per-run directories live (kept between runs: the data file is reused). */
export const workRoot = join(tmpdir(), 'sluice-bench');

/** One of the baseline properties files, e.g. `s1.properties`. */
export function baselineConfig(name: string): string {
  return readFileSync(join(repoRoot, 'test', 'peers', 'flume', 'bench', name), 'utf8');
}

/** Sets `key = value` lines: replaces a key's existing line, appends the keys that were not there. */
export function withKeys(text: string, keys: Record<string, string | number>): string {
  const left = new Map(Object.entries(keys).map(([k, v]) => [k, String(v)]));
  const lines = text.trimEnd().split('\n').map((line) => {
    const eq = line.indexOf('=');
    const key = eq > 0 && !line.trimStart().startsWith('#') ? line.slice(0, eq).trim() : '';
    const value = left.get(key);
    if (value === undefined) return line;
    left.delete(key);
    return `${key} = ${value}`;
  });
  for (const [k, v] of left) lines.push(`${k} = ${v}`);
  return `${lines.join('\n')}\n`;
}

export const LINE_BYTES = 500;

/**
 * A file of `lines` lines as the S2 baseline data: a 10-digit counter, a space, 488 base64 characters
 * of random bytes and `\n` (500 bytes, a 499-byte event body). Made once and reused while its size fits.
 */
export async function linesFile(lines: number): Promise<string> {
  const dir = join(workRoot, 'data');
  const path = join(dir, `lines-${lines}.log`);
  if (existsSync(path) && statSync(path).size === lines * LINE_BYTES) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.partial`;
  const fh = await open(partial, 'w');
  const perChunk = 8192;
  for (let first = 0; first < lines; first += perChunk) {
    const n = Math.min(perChunk, lines - first);
    // 366 random bytes are 488 base64 characters; one base64 pass covers the whole chunk.
    const noise = randomBytes(n * 366).toString('base64');
    const chunk = Buffer.allocUnsafe(n * LINE_BYTES);
    for (let i = 0; i < n; i++) {
      const line = `${String(first + i).padStart(10, '0')} ${noise.slice(i * 488, (i + 1) * 488)}\n`;
      chunk.write(line, i * LINE_BYTES, 'latin1');
    }
    await fh.write(chunk);
  }
  await fh.close();
  renameSync(partial, path);
  return path;
}

/** A fresh, empty directory under the bench's work root for one run. */
export function freshDir(...parts: string[]): string {
  const dir = join(workRoot, 'runs', ...parts);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Makes `file` appear in `spoolDir` complete and at once, as a spooling source requires: a hard link
 * (no copy of a large file; the source renames its own link, never the data file) made beside the
 * spool dir and renamed into it.
 */
export function spool(file: string, spoolDir: string): void {
  const staged = join(spoolDir, '..', 'incoming.log');
  rmSync(staged, { force: true });
  linkSync(file, staged);
  renameSync(staged, join(spoolDir, 'data.log'));
}
