/**
 * Kafka source (org.apache.flume.source.kafka.KafkaSource, Flume 1.11): reads topics as a member of
 * a consumer group and puts each batch of records into the channels as events.
 *
 * Deliberate deviations from Flume:
 * - Offsets are committed once the sinks have delivered the events, not when the channel accepted
 *   them, so a crash with a memory channel replays instead of losing (duplicates remain possible).
 *   A rebalance commits only delivered offsets; Flume commits the batch being read.
 * - Keystores must be PEM or PKCS12; Node cannot read JKS.
 * - `kafka.consumer.*` settings without an equivalent in the Node client are ignored with a warning.
 * Sluice also accepts the short type name `kafka`.
 */
import type { OptionProblem, OptionsOf } from '../../config/schema.ts';
import { defineSource } from '../../core/component.ts';
import { PlatformaticConsumer } from '../../kafka/consumer.ts';
import { checkSettings, consumerSettings } from '../../kafka/settings.ts';
import { kafkaSourceOptions } from './options.ts';
import { KafkaSource } from './source.ts';

/** Java's `Pattern.matches` needs the whole name to match. */
function topicPattern(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`);
}

function checkTopics(o: OptionsOf<typeof kafkaSourceOptions>): OptionProblem[] {
  const regex = o['kafka.topics.regex'];
  if (regex !== undefined) {
    try {
      topicPattern(regex);
    } catch (err) {
      return [{ code: 'SLUICE_CONFIG_BAD_VALUE', key: 'kafka.topics.regex', value: regex, expected: `expected a regular expression (${(err as Error).message})` }];
    }
  } else if (!o['kafka.topics']?.length) {
    return [{ code: 'SLUICE_CONFIG_MISSING_KEY', key: 'kafka.topics', expected: 'is required unless kafka.topics.regex is set: the topics to read' }];
  }
  return [];
}

export const kafkaSource = defineSource({
  type: 'kafka',
  flumeClass: 'org.apache.flume.source.kafka.KafkaSource',
  description: 'Reads Kafka topics in a consumer group; offsets are committed once the events are delivered.',
  options: kafkaSourceOptions,
  batchSizeKey: 'batchSize',
  replayable: true,
  check(o) {
    const settings = checkSettings(() => consumerSettings(o['kafka.consumer']));
    return { errors: [...checkTopics(o), ...settings.errors], warnings: settings.warnings };
  },
  create(o, ctx) {
    const regex = o['kafka.topics.regex'];
    const topics = regex !== undefined ? topicPattern(regex) : (o['kafka.topics'] ?? []);
    const { settings } = consumerSettings(o['kafka.consumer']);
    const config = {
      consumer: {
        brokers: o['kafka.bootstrap.servers'].split(',').map((b) => b.trim()).filter(Boolean),
        groupId: o['kafka.consumer.group.id'],
        topics,
        buffered: Math.max(1024, 2 * o.batchSize),
        settings,
      },
      batchSize: o.batchSize,
      batchDurationMs: o.batchDurationMillis,
      backoffIncrementMs: o.backoffSleepIncrement,
      maxBackoffMs: o.maxBackoffSleep,
      format: {
        flumeEvents: o.useFlumeEventFormat,
        topicHeader: o.setTopicHeader ? o.topicHeader : undefined,
        headerMap: Object.entries(o.header).map(([flume, kafka]) => [flume, Buffer.from(kafka)] as const),
      },
      stopWaitMs: 5000,
    };
    return new KafkaSource(ctx, config, (c) => new PlatformaticConsumer(c));
  },
});
