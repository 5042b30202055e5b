/**
 * Which offsets the Kafka source may commit. Each partition has its own acknowledgement window: a
 * batch holds, per partition it read from, the offset after its last record there, and that offset
 * becomes committable once every batch read before it from that partition has been delivered by the
 * sinks. Commits therefore never pass an undelivered record, whatever order batches complete in.
 *
 * A partition also remembers how far it has been read, so that records the client fetches again
 * after a rebalance or a lost fetch loop, but which are already in the pipeline, are skipped rather
 * than put twice. A partition taken away by a rebalance is forgotten: its late deliveries are not
 * committed, since another member now owns it.
 */
import { type AckToken, AckWindow } from '../../core/ack.ts';
import { type PartitionOffset, partitionKey } from '../../kafka/client.ts';

export interface PartitionState {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset after the last record read: lower offsets are already in the pipeline. */
  readTo: bigint;
  /** Delivered and not yet handed out for a commit. */
  ready: bigint | undefined;
  /** Highest offset handed out for a commit. */
  committed: bigint;
  readonly window: AckWindow<bigint>;
}

/** What one batch read from one partition. */
export interface BatchPart {
  next: bigint;
  events: number;
}

export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionState>();
  private last: PartitionState | undefined;

  /** `onReady` is called whenever a partition has a new committable offset. */
  constructor(private readonly onReady: () => void) {}

  /** The state of a partition, created on first sight; records arrive grouped, so the last is cached. */
  partition(topic: string, partition: number): PartitionState {
    const last = this.last;
    if (last !== undefined && last.partition === partition && last.topic === topic) return last;
    const key = partitionKey(topic, partition);
    let s = this.partitions.get(key);
    if (!s) {
      const state: PartitionState = {
        key,
        topic,
        partition,
        readTo: -1n,
        ready: undefined,
        committed: -1n,
        window: new AckWindow<bigint>((offset) => this.delivered(state, offset)),
      };
      s = state;
      this.partitions.set(key, s);
    }
    this.last = s;
    return s;
  }

  /** Records a batch that was put with `token`. */
  add(parts: ReadonlyMap<PartitionState, BatchPart>, token: AckToken): void {
    for (const [s, part] of parts) s.window.add(part.next, token, part.events);
  }

  private delivered(s: PartitionState, offset: bigint): void {
    if (this.partitions.get(s.key) !== s) return;
    if (offset <= s.committed || (s.ready !== undefined && offset <= s.ready)) return;
    s.ready = offset;
    this.onReady();
  }

  /** Committable offsets of the partitions in `assigned`; they count as committed until `restore`. */
  take(assigned: ReadonlySet<string>): PartitionOffset[] {
    const out: PartitionOffset[] = [];
    for (const s of this.partitions.values()) {
      if (s.ready === undefined || !assigned.has(s.key)) continue;
      out.push({ topic: s.topic, partition: s.partition, offset: s.ready });
      s.committed = s.ready;
      s.ready = undefined;
    }
    return out;
  }

  /** Puts back offsets whose commit failed, unless newer ones are waiting. */
  restore(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) {
      const s = this.partitions.get(partitionKey(o.topic, o.partition));
      if (!s) continue;
      if (s.ready === undefined || s.ready < o.offset) s.ready = o.offset;
    }
  }

  /** After a rebalance: forgets every partition this member no longer owns. */
  retain(assigned: ReadonlySet<string>): void {
    for (const key of this.partitions.keys()) if (!assigned.has(key)) this.partitions.delete(key);
    this.last = undefined;
  }

  get pendingEvents(): number {
    let n = 0;
    for (const s of this.partitions.values()) n += s.window.pendingEvents;
    return n;
  }

  oldestAgeMs(now = Date.now()): number {
    let age = 0;
    for (const s of this.partitions.values()) age = Math.max(age, s.window.oldestAgeMs(now));
    return age;
  }

  /** Resolves once everything put so far is delivered, or after `ms`. */
  async drained(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    });
    await Promise.race([Promise.all([...this.partitions.values()].map((s) => s.window.drained())), timeout]);
    clearTimeout(timer);
  }
}
