/**
 * The events the chaos suite sends and how it counts them back. Every line carries a unique id,
 * `c<collector>-<sequence>`, then filler. Files are written next to a spool directory and renamed into
 * it, as spooldir requires (a file must be complete once it appears). A Tally counts, per id, how many
 * times a destination holds it, in one byte per id so a few million events cost a few megabytes.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface SpoolTarget {
  readonly spool: string;
  readonly staging: string;
}

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(2);
const ID = /^c(\d+)-(\d{9}) /;

export const lineFor = (collector: number, seq: number): string =>
  `c${collector}-${String(seq).padStart(9, '0')} ${FILLER.slice(0, 40 + (seq % 60))}`;

/** Files in the spool directory still to be read or being read. */
export function waitingFiles(spool: string): number {
  return readdirSync(spool).filter((n) => !n.startsWith('.') && !n.endsWith('.COMPLETED')).length;
}

export class Feeder {
  /** Events written so far per collector (index 0 is collector 1). */
  readonly sent: number[];
  private files = 0;

  constructor(readonly targets: readonly SpoolTarget[]) {
    this.sent = targets.map(() => 0);
  }

  get total(): number {
    return this.sent.reduce((a, b) => a + b, 0);
  }

  /** Writes one file of `lines` new events for collector `i` (0-based) and renames it into its spool. */
  writeFile(i: number, lines: number): void {
    const from = this.sent[i]!;
    const text = Array.from({ length: lines }, (_, k) => lineFor(i + 1, from + k)).join('\n');
    const name = `events-${String(++this.files).padStart(6, '0')}.log`;
    const t = this.targets[i]!;
    writeFileSync(join(t.staging, name), `${text}\n`);
    renameSync(join(t.staging, name), join(t.spool, name));
    this.sent[i] = from + lines;
  }

  /** About `perSecond` events in all, a file per collector every `everyMs`, until `signal` aborts. */
  async feed(perSecond: number, signal: AbortSignal, everyMs = 1000): Promise<void> {
    const lines = Math.max(1, Math.round((perSecond * everyMs) / 1000 / this.targets.length));
    while (!signal.aborted) {
      for (let i = 0; i < this.targets.length; i++) this.writeFile(i, lines);
      await delay(everyMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Keeps `files` files of `lines` events waiting in every spool directory until `signal` aborts. */
  async keepWaiting(files: number, lines: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.targets.forEach((t, i) => {
        for (let n = waitingFiles(t.spool); n < files; n++) this.writeFile(i, lines);
      });
      await delay(250, undefined, { signal }).catch(() => undefined);
    }
  }

  /** True once every file written has been read and delivered (renamed .COMPLETED). */
  done(): boolean {
    return this.targets.every((t) => waitingFiles(t.spool) === 0);
  }
}

export interface TallySummary {
  records: number;
  unique: number;
  duplicates: number;
  missing: number;
  /** Records that are not a line this suite wrote (torn, merged or foreign). */
  foreign: number;
  /** A few missing ids, for the failure message. */
  missingIds: string[];
}

export class Tally {
  private readonly seen: Uint8Array[];
  private records = 0;
  private foreign = 0;

  constructor(private readonly sent: readonly number[]) {
    this.seen = sent.map((n) => new Uint8Array(n));
  }

  /** Counts one record (a line without its newline). */
  add(line: string): void {
    this.records++;
    const m = ID.exec(line);
    const c = m ? Number(m[1]) - 1 : -1;
    const seq = m ? Number(m[2]) : -1;
    const seen = this.seen[c];
    if (!seen || seq >= seen.length || line !== lineFor(c + 1, seq)) {
      this.foreign++;
      return;
    }
    if (seen[seq]! < 255) seen[seq]!++;
  }

  /** Counts every line of a chunk of newline-separated records. */
  addText(text: string): void {
    for (const line of text.split('\n')) if (line !== '') this.add(line);
  }

  summary(): TallySummary {
    let unique = 0;
    const missingIds: string[] = [];
    this.seen.forEach((seen, c) => {
      for (let s = 0; s < seen.length; s++) {
        if (seen[s]! > 0) unique++;
        else if (missingIds.length < 10) missingIds.push(`c${c + 1}-${s}`);
      }
    });
    const total = this.sent.reduce((a, b) => a + b, 0);
    return { records: this.records, unique, duplicates: this.records - this.foreign - unique, missing: total - unique, foreign: this.foreign, missingIds };
  }
}
