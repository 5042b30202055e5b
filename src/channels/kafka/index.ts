/**
 * `kafka` channel (org.apache.flume.channel.kafka.KafkaChannel, Flume 1.11): a Kafka topic used as a
 * durable channel. A put commit resolves once the brokers acknowledged every record; a take commit
 * commits the consumer group's offsets of what it took; a rolled-back take is handed out again. It
 * runs without a source (the channel reads a topic other producers write) and without a sink (the
 * channel is a Kafka producer), as Flume allows. With `parseAsFlumeEvent = true` (the default) the
 * records are the same Avro datums Flume's channel reads and writes, so both can share a topic.
 *
 * Deliberate deviations from Flume:
 * - One consumer serves every sink of the channel (Flume opens one per sink thread); concurrent take
 *   transactions commit offsets only up to what all of them before have committed.
 * - A record that is not a Flume event is dropped with an error instead of failing the take forever.
 * - A failed offset commit is retried with the next one instead of being forgotten.
 * - `size()` counts only events given back by rolled-back takes; capacity is 0, as in Flume.
 * - Keystores must be PEM or PKCS12; `kafka.producer.*`/`kafka.consumer.*` settings without an
 *   equivalent in the Node client are ignored with a warning.
 * Sluice also accepts the short type name `kafka`.
 */
import { defineChannel } from '../../core/component.ts';
import { PlatformaticConsumer } from '../../kafka/consumer.ts';
import { PlatformaticProducer } from '../../kafka/producer.ts';
import { KafkaChannel } from './channel.ts';
import { kafkaChannelConfig, kafkaChannelOptions, kafkaChannelProblems } from './options.ts';

export const kafkaChannel = defineChannel({
  type: 'kafka',
  flumeClass: 'org.apache.flume.channel.kafka.KafkaChannel',
  description: 'A Kafka topic as a durable channel: puts are acknowledged by the brokers, takes commit group offsets.',
  options: kafkaChannelOptions,
  check: kafkaChannelProblems,
  create: (o, ctx) =>
    new KafkaChannel(ctx, kafkaChannelConfig(o), {
      producer: (p) => new PlatformaticProducer(p),
      consumer: (c) => new PlatformaticConsumer(c),
    }),
});
