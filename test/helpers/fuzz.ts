/** What the seeded fuzz tests share: one seed for the whole run (FUZZ_SEED=<n> replays it) and small random helpers. */
import assert from 'node:assert/strict';
import type { Dice } from '../chaos/harness/dice.ts';

export const SEED = Number(process.env['FUZZ_SEED'] ?? 20260611);
assert.ok(Number.isSafeInteger(SEED), `FUZZ_SEED must be an integer, got ${process.env['FUZZ_SEED']}`);

/** A whole number in [0, n). */
export const int = (d: Dice, n: number): number => Math.floor(d.next() * n);
export const bytes = (d: Dice, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(d, 256)));
export const count = (tally: Record<string, number>, key: string): void => {
  tally[key] = (tally[key] ?? 0) + 1;
};
