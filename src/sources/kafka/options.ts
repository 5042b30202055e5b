/** Option table of the Kafka source: Flume 1.11's KafkaSource keys, spelled as Flume spells them. */
import { opt } from '../../config/schema.ts';

export const kafkaSourceOptions = {
  'kafka.bootstrap.servers': opt.string('Brokers to bootstrap from, `host:port` separated by commas.', { required: true }),
  'kafka.topics': opt.list('Topics to read, separated by commas.', { separator: ',', aliases: ['topic'] }),
  'kafka.topics.regex': opt.string('Read every topic whose whole name matches this pattern; wins over `kafka.topics`.'),
  'kafka.consumer.group.id': opt.string('Consumer group; offsets are committed under it.', { default: 'flume', aliases: ['groupId'] }),
  batchSize: opt.int('Most events put to the channel in one transaction.', { default: 1000, min: 1 }),
  batchDurationMillis: opt.int('Most milliseconds spent filling one batch.', { default: 1000, min: 0 }),
  backoffSleepIncrement: opt.int('Added to the pause after each consecutive empty poll or failed put, in ms.', { default: 1000, min: 0 }),
  maxBackoffSleep: opt.int('Longest pause between polls, in ms.', { default: 5000, min: 0 }),
  useFlumeEventFormat: opt.bool('Record values are Avro `AvroFlumeEvent` data written by a Flume Kafka sink; their headers are restored.', { default: false }),
  setTopicHeader: opt.bool('Put the record topic into the `topicHeader` header.', { default: true }),
  topicHeader: opt.string('Header that receives the topic.', { default: 'topic' }),
  'kafka.consumer': opt.prefix('Java consumer properties: security, SSL, SASL, timeouts and fetch sizes are honoured; others get a warning.'),
  header: opt.prefix('`header.<flumeHeader> = <kafkaHeader>` copies a Kafka record header into an event header (UTF-8).'),
  migrateZookeeperOffsets: opt.unsupported('offsets kept in ZooKeeper by Kafka 0.8 clients are not migrated'),
  zookeeperConnect: opt.unsupported('brokers are found through kafka.bootstrap.servers only'),
};
