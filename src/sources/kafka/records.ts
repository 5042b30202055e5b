/**
 * Kafka records to Flume events, with the headers Flume 1.11's KafkaSource sets: a Flume-format
 * value keeps its own headers, mapped Kafka headers (`header.*`) are copied, then `timestamp` (the
 * record timestamp), the topic header, `partition` and `offset` are added where absent, and `key`
 * is always set from a non-null record key.
 */
import { AvroReader } from '../../avro-rpc/avro-binary.ts';
import type { Event, Headers } from '../../core/event.ts';
import type { ConsumedRecord } from '../../kafka/client.ts';
import type { BatchPart, OffsetTracker, PartitionState } from './offsets.ts';

export interface RecordFormat {
  flumeEvents: boolean;
  /** Name of the topic header, or undefined when `setTopicHeader` is off. */
  topicHeader: string | undefined;
  /** `[flumeHeader, kafkaHeader as bytes]` pairs from `header.*`. */
  headerMap: ReadonlyArray<readonly [string, Buffer]>;
}

export interface Batch {
  events: Event[];
  parts: Map<PartitionState, BatchPart>;
  /** Records dropped because their value is not a Flume event. */
  bad: number;
}

const EMPTY = Buffer.alloc(0);

export function newBatch(): Batch {
  return { events: [], parts: new Map(), bad: 0 };
}

/** A bare `AvroFlumeEvent` datum; trailing bytes are ignored, as Flume's decoder ignores them. */
export function decodeFlumeEvent(value: Buffer): Event {
  const r = new AvroReader(value);
  return { headers: r.stringMap(), body: r.bytes() };
}

/**
 * Appends `records` to `batch`, skipping those already read (see OffsetTracker). `onBad` hears about
 * a value that is not a Flume event; the record is dropped and its offset still counts as read.
 */
export function appendRecords(
  batch: Batch,
  records: readonly ConsumedRecord[],
  format: RecordFormat,
  tracker: OffsetTracker,
  onBad: (record: ConsumedRecord, err: unknown) => void,
): void {
  const { events, parts } = batch;
  let part: BatchPart | undefined;
  let partOf: PartitionState | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const state = tracker.partition(r.topic, r.partition);
    if (r.offset < state.readTo) continue;
    state.readTo = r.offset + 1n;
    if (state !== partOf) {
      partOf = state;
      part = parts.get(state);
      if (!part) {
        part = { next: 0n, events: 0 };
        parts.set(state, part);
      }
    }
    part!.next = state.readTo;
    let headers: Headers;
    let body: Buffer;
    if (format.flumeEvents) {
      try {
        ({ headers, body } = decodeFlumeEvent(r.value ?? EMPTY));
      } catch (err) {
        batch.bad++;
        onBad(r, err);
        continue;
      }
    } else {
      headers = {};
      body = r.value ?? EMPTY;
    }
    addHeaders(headers, r, format);
    events.push({ headers, body });
    part!.events++;
  }
}

function addHeaders(headers: Headers, r: ConsumedRecord, format: RecordFormat): void {
  if (headers['timestamp'] === undefined) headers['timestamp'] = String(r.timestamp);
  for (const [name, kafkaName] of format.headerMap) {
    for (const [k, v] of r.headers) if (kafkaName.equals(k)) headers[name] = v.toString('utf8');
  }
  const topicHeader = format.topicHeader;
  if (topicHeader !== undefined && headers[topicHeader] === undefined) headers[topicHeader] = r.topic;
  if (headers['partition'] === undefined) headers['partition'] = String(r.partition);
  if (headers['offset'] === undefined) headers['offset'] = String(r.offset);
  if (r.key != null) headers['key'] = r.key.toString('utf8');
}
