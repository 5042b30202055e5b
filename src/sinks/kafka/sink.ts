/**
 * The Kafka sink's runtime: take a batch, turn it into records, send them and wait until the brokers
 * acknowledged every one; only then does the base class commit the channel transaction. A failure
 * rolls the batch back into the channel and the runner retries it after a backoff; records of the
 * failed batch that did reach Kafka are sent again (duplicates, as with Flume).
 */
import type { SinkContext } from '../../core/component.ts';
import type { Event } from '../../core/event.ts';
import type { KafkaProducer, ProducerOptions } from '../../kafka/client.ts';
import { BatchingSink, IDLE_WAIT_MS } from '../util/batching-sink.ts';
import { type RecordPlan, toRecords } from './records.ts';

export interface KafkaSinkConfig {
  producer: ProducerOptions;
  batchSize: number;
  /** Batches sent and not yet acknowledged at once; each commits on its own acknowledgement. */
  inFlight: number;
  plan: RecordPlan;
}

export type ProducerFactory = (o: ProducerOptions) => KafkaProducer;

export class KafkaSink extends BatchingSink {
  private producer: KafkaProducer | undefined;
  private readonly onBadTimestamp: (value: string) => void;

  constructor(
    ctx: SinkContext,
    private readonly config: KafkaSinkConfig,
    private readonly connect: ProducerFactory,
  ) {
    super(ctx, { batchSize: config.batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: IDLE_WAIT_MS, maxInFlight: config.inFlight });
    const header = config.plan.timestampHeader;
    this.onBadTimestamp = (value) => ctx.logger.warn(`Header ${header} = "${value}" is not a timestamp in ms; the record gets the send time.`);
  }

  override async start(): Promise<void> {
    this.producer ??= this.connect(this.config.producer);
    await super.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
  }

  protected async deliver(events: Event[]): Promise<void> {
    await this.producer!.send(toRecords(events, this.config.plan, this.onBadTimestamp));
  }
}
