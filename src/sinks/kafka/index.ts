/**
 * Kafka sink (org.apache.flume.sink.kafka.KafkaSink, Flume 1.11): sends each channel batch to Kafka
 * and commits the channel transaction only after the brokers acknowledged the whole batch.
 *
 * Deliberate deviations from Flume:
 * - `kafka.topic` supports the `%{header}` escape only; time escapes (`%Y`, `%t`, …) stay literal
 *   and are reported at load time.
 * - Keyless records are spread round-robin per record (Java 2.7's sticky partitioner fills one
 *   partition per batch); keyed records use Java's murmur2 partitioner, so they land where Flume's would.
 * - A `defaultPartitionId` / `partitionIdHeader` beyond the topic's partitions fails the batch at
 *   once (Java blocks `max.block.ms` first). Keystores must be PEM or PKCS12.
 * - `kafka.producer.*` settings without an equivalent in the Node client are ignored with a warning.
 * Sluice also accepts the short type name `kafka`.
 */
import { defineSink } from '../../core/component.ts';
import { codecAvailable, ZSTD_NEEDS } from '../../kafka/compression.ts';
import { PlatformaticProducer } from '../../kafka/producer.ts';
import { checkSettings, producerSettings } from '../../kafka/settings.ts';
import { kafkaSinkOptions } from './options.ts';
import { splitTopic } from './records.ts';
import { KafkaSink } from './sink.ts';

const ACKS = { '0': 0, '1': 1, '-1': -1, all: -1 } as const;

export const kafkaSink = defineSink({
  type: 'kafka',
  flumeClass: 'org.apache.flume.sink.kafka.KafkaSink',
  description: 'Sends events to Kafka; a batch leaves the channel only once the brokers acknowledged it.',
  options: kafkaSinkOptions,
  batchSizeKey: 'flumeBatchSize',
  check(o) {
    const { errors, warnings } = checkSettings(() => producerSettings(o['kafka.producer']));
    const codec = o['kafka.producer.compression.type'];
    if (!codecAvailable(codec)) errors.push({ code: 'SLUICE_CONFIG_UNSUPPORTED', key: 'kafka.producer.compression.type', value: codec, expected: ZSTD_NEEDS });
    if (/%[^{]/.test(o['kafka.topic'])) {
      warnings.push({ code: 'SLUICE_CONFIG_UNSUPPORTED', key: 'kafka.topic', expected: 'only the %{header} escape is replaced; other % escapes stay as written' });
    }
    return { errors, warnings };
  },
  create(o, ctx) {
    const compression = o['kafka.producer.compression.type'];
    const { settings } = producerSettings(o['kafka.producer']);
    const topic = o['kafka.topic'];
    const config = {
      producer: {
        brokers: o['kafka.bootstrap.servers'].split(',').map((b) => b.trim()).filter(Boolean),
        acks: ACKS[o['kafka.producer.acks']],
        compression,
        settings,
      },
      batchSize: o.flumeBatchSize,
      inFlight: o.batchesInFlight,
      plan: {
        topic,
        topicParts: splitTopic(topic),
        topicHeader: o.allowTopicOverride ? o.topicHeader : undefined,
        flumeEvents: o.useFlumeEventFormat,
        defaultPartition: o.defaultPartitionId,
        partitionHeader: o.partitionIdHeader,
        timestampHeader: o.timestampHeader,
        headerMap: Object.entries(o.header).map(([flume, kafka]) => [flume, Buffer.from(kafka)] as const),
      },
    };
    return new KafkaSink(ctx, config, (p) => new PlatformaticProducer(p));
  },
});
