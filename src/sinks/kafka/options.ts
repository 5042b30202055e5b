/** Option table of the Kafka sink: Flume 1.11's KafkaSink keys, spelled as Flume spells them. */
import { opt } from '../../config/schema.ts';
import { codecs } from '../../kafka/compression.ts';

export const kafkaSinkOptions = {
  'kafka.bootstrap.servers': opt.string('Brokers to bootstrap from, `host:port` separated by commas.', { required: true, aliases: ['brokerList'] }),
  'kafka.topic': opt.string('Topic written to; `%{header}` is replaced by the header value when a topic header may override it.', {
    default: 'default-flume-topic',
    aliases: ['topic'],
  }),
  flumeBatchSize: opt.int('Most events taken from the channel and sent in one transaction.', { default: 100, min: 1, aliases: ['batchSize'] }),
  batchesInFlight: opt.int(
    'Sluice: transactions sent and awaiting acknowledgement at once, each committed on its own acknowledgement. 1 is Flume\'s behaviour; more overlap the broker round trips, and a failed batch retried behind later ones changes the order.',
    { default: 1, min: 1, max: 64 },
  ),
  'kafka.producer.acks': opt.enum('Acknowledgements the broker must give before a batch counts as sent: 0, 1 or all (-1).', ['0', '1', '-1', 'all'], {
    default: '1',
    aliases: ['requiredAcks'],
  }),
  'kafka.producer.compression.type': opt.enum('Record batch compression. zstd needs Node 22.15 or later.', codecs, { default: 'none' }),
  useFlumeEventFormat: opt.bool('Write each event as an Avro `AvroFlumeEvent` (headers and body) instead of the bare body.', { default: false }),
  defaultPartitionId: opt.int('Partition every event goes to, instead of the key-based or round-robin choice.', { min: 0 }),
  partitionIdHeader: opt.string('Header holding the partition of the event; wins over defaultPartitionId. A non-integer fails the batch, as in Flume.'),
  allowTopicOverride: opt.bool('Let the `topicHeader` header choose the topic.', { default: true }),
  topicHeader: opt.string('Header naming the topic when allowTopicOverride is true.', { default: 'topic' }),
  timestampHeader: opt.string('Header holding the record timestamp in epoch ms; the send time otherwise.'),
  'kafka.producer': opt.prefix('Java producer properties: security, SSL, SASL, timeouts, idempotence are honoured; others get a warning.'),
  header: opt.prefix('`header.<flumeHeader> = <kafkaHeader>` copies an event header into a Kafka record header (UTF-8).'),
};
