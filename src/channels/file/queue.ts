/**
 * The file channel's queue, kept in memory: pieces (event ranges) of committed put batches, head first.
 * Each batch knows where its record is on disk and, while cached, holds its events; the queue never
 * holds events itself, so a large backlog costs a few dozen bytes per batch, not per event.
 */
import type { Event } from '../../core/event.ts';

/** One committed put transaction: its record's place in the data files and its events while cached. */
export class Batch {
  /** Events not yet removed by a committed take (queued or held by an open take). */
  remaining: number;
  /** The events while held in memory; otherwise they are read back from the record. */
  events: Event[] | undefined = undefined;

  constructor(
    readonly fileId: number,
    readonly offset: number,
    /** Size of the record in bytes. */
    readonly size: number,
    readonly count: number,
  ) {
    this.remaining = count;
  }
}

/** Events `start` (inclusive) to `end` (exclusive) of a batch. */
export interface Piece {
  batch: Batch;
  start: number;
  end: number;
}

/** A ring-buffer deque of pieces: takes peel the head; a rolled-back take goes back in front. */
export class PieceQueue {
  private ring: Array<Piece | undefined> = new Array(1024);
  private head = 0;
  private length = 0;
  /** Events queued. */
  count = 0;

  push(p: Piece): void {
    if (this.length === this.ring.length) this.grow();
    this.ring[(this.head + this.length) & (this.ring.length - 1)] = p;
    this.length++;
    this.count += p.end - p.start;
  }

  /** Puts pieces back at the head, in their order. */
  unshift(pieces: readonly Piece[]): void {
    for (let i = pieces.length - 1; i >= 0; i--) {
      if (this.length === this.ring.length) this.grow();
      this.head = (this.head - 1) & (this.ring.length - 1);
      this.ring[this.head] = pieces[i]!;
      this.length++;
      this.count += pieces[i]!.end - pieces[i]!.start;
    }
  }

  /** Moves up to `max` events from the head into `out` (splitting the last piece if needed); returns how many. */
  take(max: number, out: Piece[]): number {
    let want = Math.min(max, this.count);
    const got = want;
    const mask = this.ring.length - 1;
    while (want > 0) {
      const p = this.ring[this.head]!;
      const n = p.end - p.start;
      if (n <= want) {
        this.ring[this.head] = undefined;
        this.head = (this.head + 1) & mask;
        this.length--;
        out.push(p);
        want -= n;
      } else {
        out.push({ batch: p.batch, start: p.start, end: p.start + want });
        p.start += want;
        want = 0;
      }
    }
    this.count -= got;
    return got;
  }

  /** Appends every queued piece, head first, to `out`. */
  appendTo(out: Piece[]): void {
    const mask = this.ring.length - 1;
    for (let i = 0; i < this.length; i++) out.push(this.ring[(this.head + i) & mask]!);
  }

  private grow(): void {
    const next: Array<Piece | undefined> = new Array(this.ring.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.ring[(this.head + i) & (this.ring.length - 1)];
    this.ring = next;
    this.head = 0;
  }
}
