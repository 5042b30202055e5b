/**
 * The producer adapter over `@platformatic/kafka`. Partitions of keyed and explicitly placed records
 * are chosen here, from the topic's partition count, so that keys follow Java's default partitioner
 * and a configured partition that does not exist fails the batch (the library would wrap it around
 * the partition count). Topics are created on first use when the broker allows it, as Java's
 * producer does.
 *
 * The library writes all records of a partition in one record batch, which the broker refuses past
 * its `message.max.bytes` (1 MiB by default), where Java's producer splits at `batch.size`. So a send
 * is cut into requests of at most `max.request.size` bytes of records, sent together on the connection.
 */
import { Producer } from '@platformatic/kafka';
import { SluiceError } from '../errors.ts';
import type { KafkaProducer, ProducerOptions, ProducerRecord } from './client.ts';
import { baseOptions, reason } from './library.ts';
import { keyPartition } from './murmur2.ts';

/** Java's `max.request.size` default. */
export const MAX_REQUEST_SIZE = 1_048_576;
/** Room for the record batch and request headers around the records. */
const REQUEST_OVERHEAD = 1024;

function recordBytes(r: ProducerRecord): number {
  let n = r.value.length + (r.key?.length ?? 0) + 24;
  if (r.headers) for (const [k, v] of r.headers) n += k.length + v.length + 4;
  return n;
}

/** Consecutive runs of records whose estimated size fits one request; a larger record goes alone. */
export function splitRequests(records: ProducerRecord[], maxBytes: number): ProducerRecord[][] {
  const budget = Math.max(1, maxBytes - REQUEST_OVERHEAD);
  const out: ProducerRecord[][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const size = recordBytes(records[i]!);
    if (i > start && bytes + size > budget) {
      out.push(records.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start === 0) return [records];
  out.push(records.slice(start));
  return out;
}

export class PlatformaticProducer implements KafkaProducer {
  private readonly producer: Producer;
  private readonly maxRequestSize: number;

  constructor(o: ProducerOptions) {
    const s = o.settings;
    this.maxRequestSize = s.maxRequestSize ?? MAX_REQUEST_SIZE;
    this.producer = new Producer({
      ...baseOptions(o.brokers, s, 'sluice-producer'),
      acks: o.acks,
      compression: o.compression,
      autocreateTopics: true,
      // Java's request.timeout.ms is also how long the client waits for any answer; the library's `timeout` is only
      // the one the broker is given for a produce, and without this a broker that never answers holds a send 30 s.
      ...(s.timeout === undefined ? {} : { requestTimeout: s.timeout }),
      ...(s.idempotent === undefined ? {} : { idempotent: s.idempotent }),
      ...(s.maxInflights === undefined ? {} : { maxInflights: s.maxInflights }),
    });
  }

  async send(records: ProducerRecord[]): Promise<void> {
    try {
      await this.place(records);
      const requests = splitRequests(records, this.maxRequestSize);
      if (requests.length === 1) await this.producer.send({ messages: records });
      else await Promise.all(requests.map((messages) => this.producer.send({ messages })));
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw new SluiceError('SLUICE_DELIVERY_FAILED', `Kafka did not acknowledge a batch of ${records.length} records: ${reason(err)}.`, { cause: err });
    }
  }

  private async place(records: ProducerRecord[]): Promise<void> {
    const topics = new Set<string>();
    for (const r of records) if (r.partition !== undefined || r.key !== undefined) topics.add(r.topic);
    if (topics.size === 0) return;
    const metadata = await this.producer.metadata({ topics: [...topics], autocreateTopics: true });
    for (const r of records) {
      if (r.partition === undefined && r.key === undefined) continue;
      const count = metadata.topics.get(r.topic)!.partitionsCount;
      if (r.partition === undefined) r.partition = keyPartition(r.key!, count);
      else if (r.partition >= count) {
        throw new SluiceError(
          'SLUICE_DELIVERY_FAILED',
          `Partition ${r.partition} of topic "${r.topic}" does not exist: the topic has ${count} partition${count === 1 ? '' : 's'}.`,
          { topic: r.topic, partition: r.partition },
        );
      }
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
