/**
 * The take side of the Kafka channel: one consumer in the channel's group, created by the first take,
 * so that a channel without a sink never joins the group. Polls are serialised (several sinks, or a
 * sink with batches in flight, share the consumer); each take transaction holds the spans its events
 * came from and its commit commits the offsets it made committable (offsets.ts) before it resolves.
 *
 * A rolled-back take gives its events back (redelivery.ts). A record that is not a Flume event while
 * parseAsFlumeEvent is true is dropped with an error (its offset still counts as taken); Flume fails the
 * take and delivers the events before it twice. A take that cannot read (the topic does not exist yet,
 * the broker is down) finds the channel empty and logs a warning, once until reading works again.
 * A failed offset commit is logged and retried with the next commit: the events were delivered, so the
 * transaction still commits, and a crash before the retry succeeds replays them (duplicates, no loss).
 */
import type { TakeTransaction } from '../../core/channel.ts';
import type { Event } from '../../core/event.ts';
import type { Logger } from '../../core/logger.ts';
import type { ChannelCounter } from '../../core/metrics.ts';
import type { ConsumedRecord, ConsumerOptions, KafkaConsumer } from '../../kafka/client.ts';
import { sleep } from '../../core/lifecycle.ts';
import { reason } from '../../kafka/library.ts';
import { decodeFlumeEvent } from '../../sources/kafka/records.ts';
import { ChannelOffsets, type PartitionState } from './offsets.ts';
import { type Piece, Redelivery } from './redelivery.ts';

export type ConsumerFactory = (o: ConsumerOptions) => KafkaConsumer;

export interface TakeConfig {
  topic: string;
  consumer: ConsumerOptions;
  flumeEvents: boolean;
  pollTimeoutMs: number;
}

const EMPTY = Buffer.alloc(0);

export class Takes {
  private consumer: KafkaConsumer | undefined;
  private offsets: ChannelOffsets;
  private readonly returned = new Redelivery(() => this.offsets);
  private polling: Promise<void> = Promise.resolve();
  private committing: Promise<void> = Promise.resolve();
  private commitFailures = 0;
  private readFailures = 0;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly config: TakeConfig,
    private readonly counter: ChannelCounter,
    private readonly logger: Logger,
    private readonly connect: ConsumerFactory,
  ) {
    this.offsets = new ChannelOffsets(config.topic);
  }

  /** Events given back by rollbacks and not taken again yet: all the channel itself holds. */
  get held(): number {
    return this.returned.held;
  }

  open(): void {
    this.closed = false;
  }

  begin(): TakeTransaction {
    const takes = this;
    let pieces: Piece[] = [];
    let taken = 0;
    return {
      async take(max, waitMs = 0) {
        const events = await takes.read(max, waitMs, pieces);
        takes.counter.takeAttempt += Math.max(events.length, 1);
        taken += events.length;
        return events;
      },
      async commit() {
        if (pieces.length === 0) return;
        for (const p of pieces) takes.offsets.done(p.span, p.events.length);
        takes.counter.takeSuccess += taken;
        pieces = [];
        taken = 0;
        await takes.commitOffsets();
      },
      async rollback() {
        if (!takes.closed) takes.returned.giveBack(pieces);
        pieces = [];
        taken = 0;
      },
    };
  }

  /** Commits what is committable, then leaves the group. */
  async close(): Promise<void> {
    this.closed = true;
    const consumer = this.consumer;
    if (!consumer) return;
    await this.commitOffsets();
    this.consumer = undefined;
    this.offsets = new ChannelOffsets(this.config.topic);
    this.returned.clear();
    await consumer.close();
  }

  private async read(max: number, waitMs: number, into: Piece[]): Promise<Event[]> {
    if (this.closed) return [];
    if (this.offsets.pending) void this.commitOffsets();
    const again = this.returned.take(max, into);
    if (again) return again;
    const previous = this.polling;
    let release!: () => void;
    this.polling = new Promise<void>((r) => {
      release = r;
    });
    await previous;
    try {
      if (this.closed) return [];
      return this.returned.take(max, into) ?? (await this.poll(max, waitMs, into));
    } finally {
      release();
    }
  }

  private async poll(max: number, waitMs: number, into: Piece[]): Promise<Event[]> {
    this.consumer ??= this.subscribe();
    const consumer = this.consumer;
    const deadline = Date.now() + Math.min(waitMs, this.config.pollTimeoutMs);
    for (;;) {
      let records: ConsumedRecord[];
      try {
        records = await consumer.poll(max, Math.max(0, deadline - Date.now()));
      } catch (err) {
        if (this.readFailures++ === 0) {
          this.logger.warn({ err }, `Kafka channel "${this.name}" cannot read topic "${this.config.topic}" (${reason(err)}); takes find it empty until it can.`);
        }
        // Keep the caller's wait, so that a sink does not spin on a broker that is down.
        await sleep(deadline - Date.now());
        return [];
      }
      if (this.readFailures > 0) {
        this.logger.info(`Kafka channel "${this.name}" reads topic "${this.config.topic}" again after ${this.readFailures} failures.`);
        this.readFailures = 0;
      }
      const events = this.toEvents(records, into);
      // Records already in the channel's hands (re-read after a rebalance) are skipped: read on.
      if (events.length > 0 || records.length === 0 || Date.now() >= deadline) return events;
    }
  }

  private subscribe(): KafkaConsumer {
    const consumer = this.connect(this.config.consumer);
    const { groupId } = this.config.consumer;
    consumer.onAssignment((assigned) => {
      this.offsets.retain(assigned);
      this.returned.retain();
      this.logger.info({ partitions: [...assigned] }, `Kafka group "${groupId}" assigned ${assigned.size} partitions of topic "${this.config.topic}" to channel "${this.name}".`);
    });
    return consumer;
  }

  /** Turns a poll's records into events, one piece per partition, keeping each partition's order. */
  private toEvents(records: readonly ConsumedRecord[], into: Piece[]): Event[] {
    if (records.length === 0) return [];
    const read = new Map<PartitionState, { events: Event[]; offsets: bigint[] }>();
    let state: PartitionState | undefined;
    let part = { events: [] as Event[], offsets: [] as bigint[] };
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (state?.partition !== r.partition) {
        state = this.offsets.partition(r.partition);
        const known = read.get(state);
        part = known ?? { events: [], offsets: [] };
        if (!known) read.set(state, part);
      }
      if (r.offset < state.readTo) continue;
      state.readTo = r.offset + 1n;
      const e = this.decode(r);
      if (e === undefined) continue;
      part.events.push(e);
      part.offsets.push(r.offset);
    }
    let out: Event[] | undefined;
    for (const [s, { events, offsets }] of read) {
      const span = this.offsets.span(s, events.length);
      if (events.length === 0) continue;
      into.push({ span, events, offsets });
      out = out === undefined ? events : out.concat(events);
    }
    return out ?? [];
  }

  private decode(r: ConsumedRecord): Event | undefined {
    const value = r.value ?? EMPTY;
    let e: Event;
    if (this.config.flumeEvents) {
      try {
        e = decodeFlumeEvent(value);
      } catch (err) {
        this.logger.error({ err }, `Dropped the record at offset ${r.offset} of "${r.topic}" partition ${r.partition}: parseAsFlumeEvent = true but its value is not an Avro Flume event.`);
        return undefined;
      }
    } else e = { headers: {}, body: value };
    if (r.key != null) e.headers['key'] = r.key.toString('utf8');
    return e;
  }

  /** Commits every committable offset; commits run one at a time, and a later one picks up what is new. */
  private commitOffsets(): Promise<void> {
    const run = this.committing.then(() => this.commitReady());
    this.committing = run;
    return run;
  }

  private async commitReady(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const offsets = this.offsets.take(consumer.assigned());
    if (offsets.length === 0) return;
    try {
      await consumer.commit(offsets);
      if (this.commitFailures > 0) this.logger.info(`Kafka accepts the offset commits of channel "${this.name}" again after ${this.commitFailures} failures.`);
      this.commitFailures = 0;
    } catch (err) {
      this.offsets.giveBack(offsets);
      if (this.commitFailures++ === 0) {
        this.logger.warn({ err }, `Kafka refused an offset commit of channel "${this.name}" (${reason(err)}); it is retried with the next commit. Taken events are delivered again if the agent stops before that succeeds.`);
      }
    }
  }
}
