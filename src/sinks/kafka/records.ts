/**
 * Flume events to Kafka records, as Flume 1.11's KafkaSink builds them: the `key` header is the
 * record key, the topic comes from the topic header (when overriding is allowed) or from `kafka.topic`
 * with `%{header}` replaced, the partition from `partitionIdHeader` or `defaultPartitionId`, the
 * timestamp from `timestampHeader`, and mapped headers become Kafka record headers.
 */
import { encodeEventData } from '../../avro-rpc/codec.ts';
import type { Event, Headers } from '../../core/event.ts';
import { SluiceError } from '../../errors.ts';
import type { ProducerRecord } from '../../kafka/client.ts';

export interface RecordPlan {
  /** `kafka.topic` as written: used as is when topic overrides are off, as Flume does. */
  topic: string;
  /** `kafka.topic` split at its `%{header}` escapes: literal text at even indexes, header names at odd. */
  topicParts: readonly string[];
  /** The topic header, when allowTopicOverride is true. */
  topicHeader: string | undefined;
  flumeEvents: boolean;
  defaultPartition: number | undefined;
  partitionHeader: string | undefined;
  timestampHeader: string | undefined;
  /** `[flumeHeader, kafkaHeader as bytes]` pairs from `header.*`. */
  headerMap: ReadonlyArray<readonly [string, Buffer]>;
}

export function splitTopic(template: string): string[] {
  return template.split(/%\{([^}]*)\}/);
}

function topicOf(h: Headers, plan: RecordPlan): string {
  const parts = plan.topicParts;
  if (plan.topicHeader === undefined) return plan.topic;
  const chosen = h[plan.topicHeader];
  if (chosen !== undefined) return chosen;
  if (parts.length === 1) return parts[0]!;
  let topic = '';
  for (let i = 0; i < parts.length; i++) topic += i % 2 === 0 ? parts[i] : (h[parts[i]!] ?? '');
  return topic;
}

function partitionOf(h: Headers, plan: RecordPlan): number | undefined {
  const raw = plan.partitionHeader === undefined ? undefined : h[plan.partitionHeader];
  if (raw === undefined) return plan.defaultPartition;
  const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= 0x7fffffff)) {
    throw new SluiceError(
      'SLUICE_DELIVERY_FAILED',
      `Header ${plan.partitionHeader} = "${raw}" is not a partition number; the batch is rolled back (as Flume does) until the event is removed.`,
      { header: plan.partitionHeader, value: raw },
    );
  }
  return n;
}

/** `onBadTimestamp` hears about a timestampHeader value that is not an integer; the send time is used. */
export function toRecords(events: readonly Event[], plan: RecordPlan, onBadTimestamp: (value: string) => void): ProducerRecord[] {
  const values = plan.flumeEvents ? encodeEventData(events) : undefined;
  const out = new Array<ProducerRecord>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const h = e.headers;
    const record: ProducerRecord = { topic: topicOf(h, plan), value: values ? values[i]! : e.body };
    const key = h['key'];
    if (key !== undefined) record.key = Buffer.from(key);
    const partition = partitionOf(h, plan);
    if (partition !== undefined) record.partition = partition;
    if (plan.timestampHeader !== undefined) {
      const ts = h[plan.timestampHeader];
      if (ts !== undefined) {
        if (/^[+-]?\d+$/.test(ts)) record.timestamp = BigInt(ts);
        else onBadTimestamp(ts);
      }
    }
    for (const [name, kafkaName] of plan.headerMap) {
      const v = h[name];
      if (v === undefined) continue;
      record.headers ??= new Map();
      record.headers.set(kafkaName, Buffer.from(v));
    }
    out[i] = record;
  }
  return out;
}
