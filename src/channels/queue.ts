/**
 * A FIFO of event chunks, each chunk one committed put batch with its acknowledgement token.
 * Takes peel events off the head chunk; a rolled-back take pushes its pieces back at the head.
 * Keeping chunks (not single events) makes bookkeeping per batch and avoids per-event allocation.
 */
import type { AckToken } from '../core/ack.ts';
import { bodyBytes, type Event } from '../core/event.ts';

export interface Chunk {
  events: Event[];
  start: number;
  token: AckToken | null;
}

/** Part of a chunk handed to a take transaction. */
export interface Piece {
  events: Event[];
  token: AckToken | null;
  bytes: number;
}

export class ChunkQueue {
  private chunks: Chunk[] = [];
  private head = 0;
  count = 0;

  push(events: Event[], token: AckToken | null): void {
    this.chunks.push({ events, start: 0, token });
    this.count += events.length;
  }

  /** Removes up to `max` events from the head, appending the pieces taken to `pieces`. */
  take(max: number, pieces: Piece[]): Event[] {
    let out: Event[] | undefined;
    // The first piece may be a chunk's own array, shared with other channels: copy before appending.
    let owned = false;
    let want = Math.min(max, this.count);
    while (want > 0) {
      const c = this.chunks[this.head]!;
      const avail = c.events.length - c.start;
      const n = Math.min(avail, want);
      const part = c.start === 0 && n === c.events.length ? c.events : c.events.slice(c.start, c.start + n);
      c.start += n;
      if (c.start === c.events.length) this.chunks[this.head++] = undefined as unknown as Chunk;
      pieces.push({ events: part, token: c.token, bytes: bodyBytes(part) });
      if (out === undefined) out = part;
      else {
        if (!owned) {
          out = out.slice();
          owned = true;
        }
        for (let i = 0; i < part.length; i++) out.push(part[i]!);
      }
      want -= n;
      this.count -= n;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return out ?? [];
  }

  /** Puts pieces back at the head, preserving their order. */
  unshift(pieces: readonly Piece[]): void {
    const back: Chunk[] = pieces.map((p) => ({ events: p.events, start: 0, token: p.token }));
    this.chunks = [...back, ...this.chunks.slice(this.head)];
    this.head = 0;
    for (const p of pieces) this.count += p.events.length;
  }
}
