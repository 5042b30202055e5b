/** A Kafka sink record plan with Flume's defaults, for the sink's unit tests. */
import { type RecordPlan, splitTopic } from '../../../src/sinks/kafka/records.ts';

export function recordPlan(over: Partial<RecordPlan> = {}): RecordPlan {
  const topic = over.topic ?? 'default-flume-topic';
  return {
    topic,
    topicParts: splitTopic(topic),
    topicHeader: 'topic',
    flumeEvents: false,
    defaultPartition: undefined,
    partitionHeader: undefined,
    timestampHeader: undefined,
    headerMap: [],
    ...over,
  };
}
