/**
 * An in-memory Kafka topic with a producer and a group consumer over it, for the Kafka channel's unit
 * tests: records get offsets per partition, the consumer resumes from the committed offsets after a
 * rebalance (as the real client does), and failures can be scripted.
 */
import type { ConsumedRecord, KafkaConsumer, KafkaProducer, PartitionOffset, ProducerRecord } from '../../../src/kafka/client.ts';
import { partitionKey } from '../../../src/kafka/client.ts';

export class FakeTopic {
  readonly logs: ConsumedRecord[][];
  readonly committed = new Map<string, bigint>();
  readonly commits: PartitionOffset[][] = [];
  producers = 0;
  consumers = 0;
  failSends = 0;
  failCommits = 0;
  failPolls = 0;
  private spread = 0;

  constructor(
    readonly name = 't',
    partitions = 1,
  ) {
    this.logs = Array.from({ length: partitions }, () => []);
  }

  append(r: ProducerRecord): void {
    const p = r.partition ?? this.spread++ % this.logs.length;
    const log = this.logs[p]!;
    log.push({ topic: this.name, partition: p, offset: BigInt(log.length), timestamp: 1n, key: r.key, value: r.value, headers: new Map() });
  }

  /** Writes raw values, as another producer would. */
  write(partition: number, values: Array<Buffer | string>, key?: string): void {
    for (const v of values) this.append({ topic: this.name, partition, value: Buffer.from(v), key: key === undefined ? undefined : Buffer.from(key) });
  }

  producer(): KafkaProducer {
    this.producers++;
    return {
      send: async (records) => {
        if (this.failSends > 0) {
          this.failSends--;
          throw new Error('broker down');
        }
        for (const r of records) this.append(r);
      },
      close: async () => undefined,
    };
  }

  consumer(): FakeConsumer {
    this.consumers++;
    return new FakeConsumer(this);
  }
}

export class FakeConsumer implements KafkaConsumer {
  private position = new Map<number, bigint>();
  private assignment: ReadonlySet<string>;
  private readonly listeners: Array<(a: ReadonlySet<string>) => void> = [];
  closed = false;

  constructor(private readonly topic: FakeTopic) {
    this.assignment = new Set(topic.logs.map((_, p) => partitionKey(topic.name, p)));
  }

  async poll(max: number, waitMs: number): Promise<ConsumedRecord[]> {
    if (this.topic.failPolls > 0) {
      this.topic.failPolls--;
      throw new Error('Unknown topic t.');
    }
    if (this.position.size === 0) this.rewind();
    const out: ConsumedRecord[] = [];
    for (const [p, at] of this.position) {
      const log = this.topic.logs[p]!;
      let i = Number(at);
      while (out.length < max && i < log.length) out.push(log[i++]!);
      this.position.set(p, BigInt(i));
    }
    if (out.length === 0) await new Promise((r) => setTimeout(r, Math.min(waitMs, 5)));
    return out;
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (this.topic.failCommits > 0) {
      this.topic.failCommits--;
      throw new Error('coordinator moved');
    }
    this.topic.commits.push([...offsets]);
    for (const o of offsets) this.topic.committed.set(partitionKey(o.topic, o.partition), o.offset);
  }

  assigned(): ReadonlySet<string> {
    return this.assignment;
  }

  onAssignment(listener: (a: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  /** A new assignment: every assigned partition is read again from its committed offset. */
  rebalance(partitions: number[]): void {
    this.assignment = new Set(partitions.map((p) => partitionKey(this.topic.name, p)));
    this.rewind();
    for (const l of this.listeners) l(this.assignment);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private rewind(): void {
    this.position = new Map();
    for (const key of this.assignment) {
      const p = Number(key.slice(key.lastIndexOf(':') + 1));
      this.position.set(p, this.topic.committed.get(key) ?? 0n);
    }
  }
}
