/**
 * The Kafka channel's runtime. A put transaction turns its events into records as they are put (a bad
 * partition header fails the put, as in Flume) and its commit sends them and resolves only once the
 * brokers acknowledged every record (`acks = all` by default): the channel is durable, so a source's
 * acknowledgement resolves at that point. Takes are in takes.ts. The producer is created by the first
 * put, so that a channel without a source is only a consumer.
 */
import type { AckToken } from '../../core/ack.ts';
import type { Channel, PutTransaction, TakeTransaction } from '../../core/channel.ts';
import type { ChannelContext } from '../../core/component.ts';
import type { Event } from '../../core/event.ts';
import { SluiceError } from '../../errors.ts';
import type { KafkaProducer, ProducerOptions, ProducerRecord } from '../../kafka/client.ts';
import { reason } from '../../kafka/library.ts';
import { toRecords } from '../../sinks/kafka/records.ts';
import type { KafkaChannelConfig } from './options.ts';
import { type ConsumerFactory, Takes } from './takes.ts';

export type ProducerFactory = (o: ProducerOptions) => KafkaProducer;

export interface KafkaClients {
  producer: ProducerFactory;
  consumer: ConsumerFactory;
}

// The channel's records carry no timestamp header: a bad one cannot occur.
const noTimestamp = (): void => undefined;

export class KafkaChannel implements Channel {
  readonly durable = true;
  readonly transactionCapacity = undefined;
  readonly name: string;
  private producer: KafkaProducer | undefined;
  private readonly takes: Takes;
  private closed = true;

  constructor(
    private readonly ctx: ChannelContext,
    private readonly config: KafkaChannelConfig,
    private readonly clients: KafkaClients,
  ) {
    this.name = ctx.name;
    this.takes = new Takes(ctx.name, config, ctx.counter, ctx.logger, clients.consumer);
    ctx.counter.size = () => this.takes.held;
  }

  async start(): Promise<void> {
    this.closed = false;
    this.takes.open();
    this.ctx.counter.start();
    const how = this.config.flumeEvents ? 'Avro Flume events' : 'bare bodies (headers other than key are not kept)';
    this.ctx.logger.info(`Kafka channel "${this.name}" uses topic "${this.config.topic}" and group "${this.config.consumer.groupId}"; records are ${how}.`);
  }

  async stop(): Promise<void> {
    this.closed = true;
    const producer = this.producer;
    this.producer = undefined;
    await Promise.all([this.takes.close(), producer?.close()]);
    this.ctx.counter.stop();
  }

  /** Events the channel holds itself: those given back by rolled-back takes. The topic's backlog is not counted. */
  size(): number {
    return this.takes.held;
  }

  /** No bound: the topic holds the events (Flume reports 0 as well). */
  capacity(): number {
    return 0;
  }

  beginPut(): PutTransaction {
    const ch = this;
    let staged: ProducerRecord[][] = [];
    let count = 0;
    return {
      put(events: Event[], _token: AckToken | null) {
        ch.ctx.counter.putAttempt += events.length;
        staged.push(toRecords(events, ch.config.plan, noTimestamp));
        count += events.length;
      },
      async commit() {
        if (count === 0) return;
        await ch.send(staged.length === 1 ? staged[0]! : staged.flat(), count);
        ch.ctx.counter.putSuccess += count;
        staged = [];
        count = 0;
      },
      async rollback() {
        staged = [];
        count = 0;
      },
    };
  }

  beginTake(): TakeTransaction {
    return this.takes.begin();
  }

  private async send(records: ProducerRecord[], count: number): Promise<void> {
    if (this.closed) throw new SluiceError('SLUICE_CHANNEL_CLOSED', `Kafka channel "${this.name}" is stopped; ${count} events were not put.`);
    this.producer ??= this.clients.producer(this.config.producer);
    try {
      await this.producer.send(records);
    } catch (err) {
      throw new SluiceError('SLUICE_CHANNEL_IO', `Kafka channel "${this.name}" could not put ${count} events to topic "${this.config.topic}": ${reason(err)}`, { cause: err });
    }
  }
}
