/**
 * Java's `HashMap.toString()` of an event's headers: `{k1=v1, k2=v2}`, `{}` when empty. Flume prints
 * headers this way in `header_and_text` output and in the logger sink's lines.
 *
 * The order is a HashMap's iteration order, best effort: bucket index of the key's spread String
 * hash in a table that started at 16 and doubled at 75% load (a map built with `new HashMap<>()`
 * and `put`), ties in insertion order. Flume maps built another way (a presized copy, a tree bin)
 * can iterate differently; the content is the same either way.
 */
import type { Headers } from '../../../core/event.ts';

const hashes = new Map<string, number>();

/** `String.hashCode()` spread as `HashMap.hash()` does; memoised, since header keys repeat. */
function spreadHash(key: string): number {
  let h = hashes.get(key);
  if (h !== undefined) return h;
  h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  h ^= h >>> 16;
  if (hashes.size < 4096) hashes.set(key, h);
  return h;
}

function tableSize(entries: number): number {
  let n = 16;
  while (entries > n * 0.75) n *= 2;
  return n;
}

export function javaMapString(headers: Headers): string {
  const keys = Object.keys(headers);
  if (keys.length === 0) return '{}';
  if (keys.length > 1) {
    const mask = tableSize(keys.length) - 1;
    // Array.prototype.sort is stable, so keys of one bucket keep their insertion order.
    keys.sort((a, b) => (spreadHash(a) & mask) - (spreadHash(b) & mask));
  }
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    s += `${i === 0 ? '' : ', '}${k}=${headers[k]}`;
  }
  return `${s}}`;
}
