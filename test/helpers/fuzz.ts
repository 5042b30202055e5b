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

/**
 * Runs `fn` on the items, `workers` at a time. After a failure no item starts, and the first failure is thrown once
 * the running ones end, so that what they use (a server, say) can be closed when this returns.
 */
export async function inTurn<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length && !failure) {
        const item = items[next++]!;
        try {
          await fn(item);
        } catch (err) {
          failure ??= { err };
        }
      }
    }),
  );
  if (failure) throw failure.err;
}
