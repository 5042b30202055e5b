/**
 * Option table of the Kafka channel, Flume 1.11's KafkaChannel keys spelled as Flume spells them, and
 * their translation into client options. The consumer starts from the earliest offset when its group
 * has none, as Flume's channel does (its user guide says latest; the code says earliest).
 */
import type { OptionProblem, OptionsOf } from '../../config/schema.ts';
import { opt } from '../../config/schema.ts';
import type { ConsumerOptions, ProducerOptions } from '../../kafka/client.ts';
import { codecAvailable, codecs, ZSTD_NEEDS } from '../../kafka/compression.ts';
import { checkSettings, consumerSettings, producerSettings } from '../../kafka/settings.ts';
import type { RecordPlan } from '../../sinks/kafka/records.ts';

export const kafkaChannelOptions = {
  'kafka.bootstrap.servers': opt.string('Brokers to bootstrap from, `host:port` separated by commas.', { required: true, aliases: ['brokerList'] }),
  'kafka.topic': opt.string('Topic that holds the channel\'s events.', { default: 'flume-channel', aliases: ['topic'] }),
  'kafka.consumer.group.id': opt.string('Consumer group the channel takes in; offsets are committed under it.', { default: 'flume', aliases: ['groupId'] }),
  parseAsFlumeEvent: opt.bool(
    'Records are Avro `AvroFlumeEvent` data (headers and body), as Flume\'s Kafka channel, source and sink write them with this setting; false stores the body alone.',
    { default: true },
  ),
  'kafka.pollTimeout': opt.int('Most milliseconds a take on an empty channel waits for records.', { default: 500, min: 0, aliases: ['pollTimeout'] }),
  defaultPartitionId: opt.int('Partition every put goes to, instead of the key-based or spread choice.', { min: 0 }),
  partitionIdHeader: opt.string('Header holding the partition of the event; wins over defaultPartitionId. A non-integer fails the put.'),
  'kafka.producer.acks': opt.enum('Acknowledgements the broker must give before a put commits: 0, 1 or all (-1).', ['0', '1', '-1', 'all'], { default: 'all' }),
  'kafka.producer.compression.type': opt.enum('Record batch compression. zstd needs Node 22.15 or later.', codecs, { default: 'none' }),
  readSmallestOffset: opt.bool('Deprecated: true means kafka.consumer.auto.offset.reset = earliest, false latest (when that key is absent).'),
  'kafka.producer': opt.prefix('Java producer properties: security, SSL, SASL, timeouts, idempotence are honoured; others get a warning.'),
  'kafka.consumer': opt.prefix('Java consumer properties: security, SSL, SASL, timeouts, fetch sizes and auto.offset.reset are honoured; others get a warning.'),
  capacity: opt.unsupported('the topic holds the events; Flume\'s Kafka channel ignores it too'),
  transactionCapacity: opt.unsupported('a transaction may carry any number of events; Flume\'s Kafka channel ignores it too'),
  migrateZookeeperOffsets: opt.unsupported('offsets kept in ZooKeeper by Kafka 0.8 clients are not migrated'),
  zookeeperConnect: opt.unsupported('brokers are found through kafka.bootstrap.servers only'),
};

type Options = OptionsOf<typeof kafkaChannelOptions>;

const ACKS = { '0': 0, '1': 1, '-1': -1, all: -1 } as const;

/** Records the fetch loop may hold ahead of the takes. */
const BUFFERED_RECORDS = 4096;

export interface KafkaChannelConfig {
  topic: string;
  producer: ProducerOptions;
  consumer: ConsumerOptions;
  flumeEvents: boolean;
  pollTimeoutMs: number;
  /** How puts become records: the fixed topic, the `key` header as key, the configured partition. */
  plan: RecordPlan;
}

export function kafkaChannelProblems(o: Options): { errors: OptionProblem[]; warnings: OptionProblem[] } {
  const producer = checkSettings(() => producerSettings(o['kafka.producer']));
  const consumer = checkSettings(() => consumerSettings(o['kafka.consumer']));
  const errors = [...producer.errors, ...consumer.errors];
  const codec = o['kafka.producer.compression.type'];
  if (!codecAvailable(codec)) errors.push({ code: 'SLUICE_CONFIG_UNSUPPORTED', key: 'kafka.producer.compression.type', value: codec, expected: ZSTD_NEEDS });
  return { errors, warnings: [...producer.warnings, ...consumer.warnings] };
}

export function kafkaChannelConfig(o: Options): KafkaChannelConfig {
  const brokers = o['kafka.bootstrap.servers'].split(',').map((b) => b.trim()).filter(Boolean);
  const topic = o['kafka.topic'];
  const consumer = consumerSettings(o['kafka.consumer']).settings;
  if (o['kafka.consumer']['auto.offset.reset'] === undefined) consumer.autoOffsetReset = o.readSmallestOffset === false ? 'latest' : 'earliest';
  return {
    topic,
    producer: { brokers, acks: ACKS[o['kafka.producer.acks']], compression: o['kafka.producer.compression.type'], settings: producerSettings(o['kafka.producer']).settings },
    consumer: { brokers, groupId: o['kafka.consumer.group.id'], topics: [topic], buffered: BUFFERED_RECORDS, settings: consumer },
    flumeEvents: o.parseAsFlumeEvent,
    pollTimeoutMs: o['kafka.pollTimeout'],
    plan: {
      topic,
      topicParts: [topic],
      topicHeader: undefined,
      flumeEvents: o.parseAsFlumeEvent,
      defaultPartition: o.defaultPartitionId,
      partitionHeader: o.partitionIdHeader,
      timestampHeader: undefined,
      headerMap: [],
    },
  };
}
