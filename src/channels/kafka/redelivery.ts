/**
 * Events of rolled-back take transactions, waiting to be handed out again before anything new is read:
 * the same records, at the same offsets, in their order, as Flume's channel redelivers them. Each piece
 * is the events of one span (offsets.ts); when a take wants fewer events than a piece holds, the part it
 * takes gets a span of its own, so that committing that part moves the offset past it alone.
 */
import type { Event } from '../../core/event.ts';
import type { ChannelOffsets, Span } from './offsets.ts';

/** The events of one span, held by a take transaction or given back by a rollback, with their offsets. */
export interface Piece {
  readonly span: Span;
  events: Event[];
  offsets: bigint[];
}

export class Redelivery {
  private pieces: Piece[] = [];
  /** Events waiting, for the channel's size. */
  held = 0;

  constructor(private readonly offsets: () => ChannelOffsets) {}

  /** Hands out up to `max` waiting events, recording their pieces in `into`; undefined when none wait. */
  take(max: number, into: Piece[]): Event[] | undefined {
    if (this.pieces.length === 0) return undefined;
    let out: Event[] = [];
    while (out.length < max && this.pieces.length > 0) {
      const p = this.pieces[0]!;
      const room = max - out.length;
      let piece = p;
      if (p.events.length <= room) this.pieces.shift();
      else {
        const span = this.offsets().split(p.span, room, p.offsets[room - 1]! + 1n);
        piece = { span, events: p.events.slice(0, room), offsets: p.offsets.slice(0, room) };
        p.events = p.events.slice(room);
        p.offsets = p.offsets.slice(room);
      }
      into.push(piece);
      out = out.length === 0 ? piece.events : out.concat(piece.events);
    }
    this.held -= out.length;
    return out;
  }

  /** A rollback: `pieces` go back to the head, unless a rebalance moved their partition away. */
  giveBack(pieces: readonly Piece[]): void {
    const kept = pieces.filter((p) => this.offsets().owns(p.span));
    this.pieces = kept.concat(this.pieces);
    for (const p of kept) this.held += p.events.length;
  }

  /** After a rebalance: drops the events of partitions this member no longer owns. */
  retain(): void {
    this.pieces = this.pieces.filter((p) => this.offsets().owns(p.span));
    this.held = this.pieces.reduce((n, p) => n + p.events.length, 0);
  }

  clear(): void {
    this.pieces = [];
    this.held = 0;
  }
}
