/**
 * The Kafka source's runtime: poll the consumer until a batch is full, `batchDurationMillis` has
 * passed or a poll comes back empty; put the batch; hand its offsets to the tracker, which commits
 * them once the sinks have delivered the batch. A batch the channel refused is kept and put again
 * after the backoff, never read twice from Kafka.
 */
import type { SourceContext } from '../../core/component.ts';
import type { ConsumedRecord, ConsumerOptions, KafkaConsumer } from '../../kafka/client.ts';
import { reason } from '../../kafka/library.ts';
import { type PollStatus, PollingSource } from '../util/polling-source.ts';
import { OffsetTracker } from './offsets.ts';
import { appendRecords, type Batch, newBatch, type RecordFormat } from './records.ts';

const COMMIT_RETRY_MS = 1000;

export interface KafkaSourceConfig {
  consumer: ConsumerOptions;
  batchSize: number;
  batchDurationMs: number;
  backoffIncrementMs: number;
  maxBackoffMs: number;
  format: RecordFormat;
  /** How long stop() lets the sinks deliver what was put before the last commit. */
  stopWaitMs: number;
}

export type ConsumerFactory = (o: ConsumerOptions) => KafkaConsumer;

export class KafkaSource extends PollingSource {
  private consumer: KafkaConsumer | undefined;
  private readonly tracker = new OffsetTracker(() => {
    this.updateGauges();
    this.commitSoon();
  });
  /** A batch read from Kafka that the channel has not accepted yet. */
  private pending: Batch | undefined;
  private committing: Promise<void> | undefined;
  private commitAgain = false;
  private commitFailures = 0;
  private readFailures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    ctx: SourceContext,
    private readonly config: KafkaSourceConfig,
    private readonly connect: ConsumerFactory,
  ) {
    super(ctx, { incrementMs: config.backoffIncrementMs, maxMs: config.maxBackoffMs });
  }

  override async start(): Promise<void> {
    if (!this.consumer) {
      const consumer = this.connect(this.config.consumer);
      consumer.onAssignment((assigned) => {
        this.tracker.retain(assigned);
        this.ctx.logger.info({ partitions: [...assigned] }, `Kafka group "${this.config.consumer.groupId}" assigned ${assigned.size} partitions to this source.`);
        this.commitSoon();
      });
      this.consumer = consumer;
    }
    await super.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    const consumer = this.consumer;
    if (!consumer) return;
    this.consumer = undefined;
    // The sinks keep running until every source has stopped: let them deliver what is in flight.
    await this.tracker.drained(this.config.stopWaitMs);
    await this.committing;
    await this.commit(consumer);
    clearTimeout(this.retryTimer);
    this.updateGauges();
    await consumer.close();
  }

  protected async poll(signal: AbortSignal): Promise<PollStatus> {
    const consumer = this.consumer!;
    let batch = this.pending;
    if (!batch) {
      try {
        batch = await this.read(consumer, signal);
      } catch (err) {
        if (this.readFailures++ === 0) this.ctx.logger.warn({ err }, `Reading from Kafka failed (${reason(err)}); retrying after a backoff.`);
        return 'BACKOFF';
      }
      if (this.readFailures > 0) this.ctx.logger.info(`Reading from Kafka works again after ${this.readFailures} failures.`);
      this.readFailures = 0;
      if (batch.parts.size === 0) return 'BACKOFF';
      this.ctx.counter.eventReceived += batch.events.length;
      this.ctx.counter.appendBatchReceived++;
      this.pending = batch;
    }
    const token = await this.ctx.processor.processBatch(batch.events);
    this.pending = undefined;
    this.tracker.add(batch.parts, token);
    this.ctx.counter.eventAccepted += batch.events.length;
    this.ctx.counter.appendBatchAccepted++;
    this.updateGauges();
    return 'READY';
  }

  private async read(consumer: KafkaConsumer, signal: AbortSignal): Promise<Batch> {
    const { batchSize, batchDurationMs, format } = this.config;
    const max = Math.min(batchSize, this.ctx.maxBatch);
    const batch = newBatch();
    const deadline = Date.now() + batchDurationMs;
    const onBad = (r: ConsumedRecord, err: unknown) => {
      this.ctx.counter.eventReadFail++;
      this.ctx.logger.error({ err }, `Dropped the record at offset ${r.offset} of "${r.topic}" partition ${r.partition}: useFlumeEventFormat = true but its value is not an Avro Flume event.`);
    };
    for (;;) {
      const records = await consumer.poll(max - batch.events.length, Math.max(0, deadline - Date.now()), signal);
      if (records.length === 0) break;
      appendRecords(batch, records, format, this.tracker, onBad);
      if (batch.events.length >= max || Date.now() >= deadline || signal.aborted) break;
    }
    return batch;
  }

  private commitSoon(): void {
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    const consumer = this.consumer;
    if (!consumer) return;
    this.committing = (async () => {
      do {
        this.commitAgain = false;
        await this.commit(consumer);
      } while (this.commitAgain && this.commitFailures === 0);
    })().finally(() => {
      this.committing = undefined;
    });
  }

  private async commit(consumer: KafkaConsumer): Promise<void> {
    const offsets = this.tracker.take(consumer.assigned());
    if (offsets.length === 0) return;
    try {
      await consumer.commit(offsets);
      if (this.commitFailures > 0) this.ctx.logger.info(`Kafka accepts offset commits again after ${this.commitFailures} failures.`);
      this.commitFailures = 0;
    } catch (err) {
      this.tracker.restore(offsets);
      if (this.commitFailures++ === 0) {
        this.ctx.logger.warn({ err }, `Kafka refused an offset commit (${reason(err)}); retrying every ${COMMIT_RETRY_MS} ms. Delivered events are replayed if the agent stops before it succeeds.`);
      }
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.commitSoon(), COMMIT_RETRY_MS).unref();
    }
  }

  private updateGauges(): void {
    this.ctx.counter.awaitingAck = this.tracker.pendingEvents;
    this.ctx.counter.oldestUnackedMs = this.tracker.oldestAgeMs();
  }
}
