/**
 * The Kafka operations Sluice's components use. The source and sink see only these interfaces; the
 * adapters over `@platformatic/kafka` (producer.ts, consumer.ts) are the one place that knows the
 * client library, so it can be swapped (e.g. for librdkafka) without touching the components.
 */
import type { Codec } from './compression.ts';
import type { ConsumerSettings, ProducerSettings } from './settings.ts';

export interface ProducerRecord {
  topic: string;
  /** A partition chosen by configuration; checked against the topic's partition count. */
  partition?: number;
  /** Keyed records without `partition` go where Java's default partitioner puts them (murmur2). */
  key?: Buffer;
  value: Buffer;
  /** Epoch ms; the producer's clock when absent. */
  timestamp?: bigint;
  headers?: Map<Buffer, Buffer>;
}

export interface KafkaProducer {
  /** Resolves once the brokers acknowledged every record (as `acks` asks); rejects otherwise. */
  send(records: ProducerRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  brokers: string[];
  /** Java's acks: -1 (all), 0 or 1. */
  acks: -1 | 0 | 1;
  compression: Codec;
  settings: ProducerSettings;
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: Map<Buffer, Buffer>;
}

/** Where to resume a partition: the offset of the next record to read, as Kafka commits it. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface KafkaConsumer {
  /**
   * Records already fetched, up to `max`. When none are, waits up to `waitMs` (or until `signal`
   * aborts) for some. Rejects when the client lost its fetch loop; the next call starts it again.
   */
  poll(max: number, waitMs: number, signal?: AbortSignal): Promise<ConsumedRecord[]>;
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  /** `topic:partition` keys assigned to this member by the group right now. */
  assigned(): ReadonlySet<string>;
  /** Called after each rebalance with the new assignment. */
  onAssignment(listener: (assigned: ReadonlySet<string>) => void): void;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  brokers: string[];
  groupId: string;
  /** Topic names, or a pattern matched against every topic name in full (as Java's `Pattern.matches`). */
  topics: readonly string[] | RegExp;
  /** Records the client may hold fetched ahead of `poll`. */
  buffered: number;
  settings: ConsumerSettings;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
