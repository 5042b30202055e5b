/**
 * The producer adapter over `@platformatic/kafka`. Partitions of keyed and explicitly placed records
 * are chosen here, from the topic's partition count, so that keys follow Java's default partitioner
 * and a configured partition that does not exist fails the batch (the library would wrap it around
 * the partition count). Topics are created on first use when the broker allows it, as Java's
 * producer does.
 */
import { Producer } from '@platformatic/kafka';
import { SluiceError } from '../errors.ts';
import type { KafkaProducer, ProducerOptions, ProducerRecord } from './client.ts';
import { baseOptions, reason } from './library.ts';
import { keyPartition } from './murmur2.ts';

export class PlatformaticProducer implements KafkaProducer {
  private readonly producer: Producer;

  constructor(o: ProducerOptions) {
    const s = o.settings;
    this.producer = new Producer({
      ...baseOptions(o.brokers, s, 'sluice-producer'),
      acks: o.acks,
      compression: o.compression,
      autocreateTopics: true,
      ...(s.idempotent === undefined ? {} : { idempotent: s.idempotent }),
      ...(s.maxInflights === undefined ? {} : { maxInflights: s.maxInflights }),
    });
  }

  async send(records: ProducerRecord[]): Promise<void> {
    try {
      await this.place(records);
      await this.producer.send({ messages: records });
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
