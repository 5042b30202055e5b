/**
 * Which offsets of the channel's topic may be committed. Records of one partition are read in offset
 * order; the records one poll returned from one partition form a span, and a span is done once every
 * take transaction holding some of its events has committed. A partition's commit point moves only
 * over done spans, in order, so it never passes a record that sits in an open transaction or waits
 * for redelivery after a rollback, whatever order concurrent transactions commit in.
 *
 * A partition also remembers how far it has been read: after a rebalance the client resumes from the
 * committed offset, and records already in the channel's hands are skipped rather than taken twice.
 * A partition the group moved to another member is forgotten, and its late commits are dropped.
 */
import { type PartitionOffset, partitionKey } from '../../kafka/client.ts';

export interface PartitionState {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset after the last record read: records below it are already in the channel's hands. */
  readTo: bigint;
  readonly spans: Span[];
  head: number;
  /** Offset that may be committed and has not been handed out yet. */
  ready: bigint | undefined;
}

export interface Span {
  readonly state: PartitionState;
  /** The offset to commit once this span and every one before it are done. */
  readonly next: bigint;
  /** Events of the span not yet committed by a take. */
  open: number;
}

export class ChannelOffsets {
  /** The channel reads one topic: partitions are keyed by number. */
  private readonly partitions = new Map<number, PartitionState>();

  constructor(private readonly topic: string) {}

  /** The state of a partition, created on first sight. */
  partition(partition: number): PartitionState {
    let s = this.partitions.get(partition);
    if (!s) {
      s = { key: partitionKey(this.topic, partition), topic: this.topic, partition, readTo: -1n, spans: [], head: 0, ready: undefined };
      this.partitions.set(partition, s);
    }
    return s;
  }

  /** Records a span of `events` events read from `state` up to its `readTo`. */
  span(state: PartitionState, events: number): Span {
    const span: Span = { state, next: state.readTo, open: events };
    state.spans.push(span);
    if (events === 0) this.advance(state);
    return span;
  }

  /** Splits the first `n` events of `span`, read up to `next`, into a span of their own just before it. */
  split(span: Span, n: number, next: bigint): Span {
    const head: Span = { state: span.state, next, open: n };
    span.open -= n;
    const spans = span.state.spans;
    spans.splice(spans.indexOf(span, span.state.head), 0, head);
    return head;
  }

  /** `n` events of `span` were committed by a take transaction. */
  done(span: Span, n: number): void {
    span.open -= n;
    if (span.open === 0) this.advance(span.state);
  }

  private advance(s: PartitionState): void {
    const spans = s.spans;
    while (s.head < spans.length && spans[s.head]!.open === 0) s.ready = spans[s.head++]!.next;
    if (s.head > 256 && s.head * 2 > spans.length) {
      spans.splice(0, s.head);
      s.head = 0;
    }
  }

  /** True when some partition has an offset waiting to be committed. */
  get pending(): boolean {
    for (const s of this.partitions.values()) if (s.ready !== undefined) return true;
    return false;
  }

  /** Offsets to commit for the partitions in `assigned`; they count as committed unless given back. */
  take(assigned: ReadonlySet<string>): PartitionOffset[] {
    const out: PartitionOffset[] = [];
    for (const s of this.partitions.values()) {
      if (s.ready === undefined || !assigned.has(s.key)) continue;
      out.push({ topic: s.topic, partition: s.partition, offset: s.ready });
      s.ready = undefined;
    }
    return out;
  }

  /** Gives back offsets whose commit failed, unless newer ones are waiting. */
  giveBack(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) {
      const s = this.partitions.get(o.partition);
      if (s && (s.ready === undefined || s.ready < o.offset)) s.ready = o.offset;
    }
  }

  /** After a rebalance: forgets every partition this member no longer owns. */
  retain(assigned: ReadonlySet<string>): void {
    for (const [p, s] of this.partitions) if (!assigned.has(s.key)) this.partitions.delete(p);
  }

  /** False once a rebalance moved the span's partition away. */
  owns(span: Span): boolean {
    return this.partitions.get(span.state.partition) === span.state;
  }
}
