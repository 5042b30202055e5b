/**
 * The consumer adapter over `@platformatic/kafka`: group membership, a fetch stream read in batches
 * (no promise per record), and commits only when asked. Offsets are never auto-committed.
 *
 * After a rebalance the library resumes each assigned partition from its committed offset, so records
 * read but not yet delivered are read again (duplicates, never loss). A fetch stream that fails (broker
 * gone) rejects the next `poll`; the poll after that opens a new stream, which also rejoins the group.
 * A topic pattern is matched against the broker's topic list at start and every `metadata.max.age.ms`
 * (Java's default: 5 minutes), as Java's pattern subscription does.
 */
import { Admin, Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import { SluiceError } from '../errors.ts';
import { type ConsumedRecord, type ConsumerOptions, type KafkaConsumer, type PartitionOffset, partitionKey } from './client.ts';
import { installXerialSnappy } from './compression.ts';
import { baseOptions, reason } from './library.ts';

const PATTERN_REFRESH_MS = 300_000;
const FALLBACK = { earliest: 'earliest', latest: 'latest', none: 'fail' } as const;

export class PlatformaticConsumer implements KafkaConsumer {
  private consumer: Consumer;
  private readonly admin: Admin | undefined;
  private readonly base: ReturnType<typeof baseOptions>;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private topics: readonly string[] = [];
  private nextTopicCheck = 0;
  private assignment: ReadonlySet<string> = new Set();
  private readonly listeners: Array<(assigned: ReadonlySet<string>) => void> = [];

  constructor(private readonly o: ConsumerOptions) {
    installXerialSnappy();
    this.base = baseOptions(o.brokers, o.settings, 'sluice-consumer');
    this.consumer = this.create();
    if (o.topics instanceof RegExp) this.admin = new Admin(this.base);
    else this.topics = o.topics;
  }

  /** A client with its group membership; replaced whole after a lost fetch loop, as a restart would. */
  private create(): Consumer {
    const s = this.o.settings;
    const consumer = new Consumer({
      ...this.base,
      groupId: this.o.groupId,
      autocommit: false,
      sessionTimeout: s.sessionTimeout,
      heartbeatInterval: s.heartbeatInterval,
      rebalanceTimeout: Math.max(s.rebalanceTimeout ?? 300_000, s.sessionTimeout),
      minBytes: s.minBytes,
      maxBytes: s.maxBytes,
      maxBytesPerPartition: s.maxBytesPerPartition,
      maxWaitTime: s.maxWaitTime,
      isolationLevel: s.isolationLevel,
      highWaterMark: this.o.buffered,
      ...(s.groupInstanceId === undefined ? {} : { groupInstanceId: s.groupInstanceId }),
    });
    consumer.on('consumer:group:join', () => {
      if (consumer !== this.consumer) return;
      const assigned = new Set<string>();
      for (const a of consumer.assignments ?? []) for (const p of a.partitions) assigned.add(partitionKey(a.topic, p));
      this.assignment = assigned;
      for (const l of this.listeners) l(assigned);
    });
    return consumer;
  }

  async poll(max: number, waitMs: number, signal?: AbortSignal): Promise<ConsumedRecord[]> {
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      this.stream = undefined;
      const old = this.consumer;
      this.consumer = this.create();
      // Rejoining as the same member, as Java's client does: a new member id would make the coordinator
      // wait for the old one (persisted across a broker restart) for up to max.poll.interval.ms. An id
      // the coordinator no longer knows is answered with UNKNOWN_MEMBER_ID, and the library joins anew.
      this.consumer.memberId = old.memberId;
      void new Promise<void>((resolve) => old.close(true, () => resolve()));
      throw new SluiceError('SLUICE_KAFKA', `Kafka consumer lost its fetch loop: ${reason(failure)}.`, { cause: failure });
    }
    if (this.admin && Date.now() >= this.nextTopicCheck) await this.matchTopics();
    if (this.topics.length === 0) {
      await this.pause(waitMs, signal);
      return [];
    }
    const stream = this.stream ?? (await this.open());
    const out = drain(stream, max);
    if (out.length > 0 || waitMs <= 0) return out;
    await this.pause(waitMs, signal);
    return this.failure ? [] : drain(stream, max);
  }

  commit(offsets: readonly PartitionOffset[]): Promise<void> {
    return this.consumer.commit({ offsets: offsets.map((o) => ({ ...o, leaderEpoch: -1 })) });
  }

  assigned(): ReadonlySet<string> {
    return this.assignment;
  }

  onAssignment(listener: (assigned: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.wake?.();
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close().catch(() => undefined);
    await new Promise<void>((resolve) => this.consumer.close(true, () => resolve()));
    if (this.admin) await this.admin.close().catch(() => undefined);
  }

  private async open(): Promise<MessagesStream<Buffer, Buffer, Buffer, Buffer>> {
    const stream = await this.consumer.consume({
      topics: [...this.topics],
      mode: 'committed',
      fallbackMode: FALLBACK[this.o.settings.autoOffsetReset],
    });
    const wake = (): void => this.wake?.();
    stream.on('readable', wake);
    stream.on('error', (err) => {
      if (this.stream === stream) this.failure = err;
      wake();
    });
    this.stream = stream;
    return stream;
  }

  /** Re-reads the topic list; a changed match set restarts the stream on the new topics. */
  private async matchTopics(): Promise<void> {
    this.nextTopicCheck = Date.now() + (this.o.settings.metadataMaxAge ?? PATTERN_REFRESH_MS);
    const pattern = this.o.topics as RegExp;
    const all = await this.admin!.listTopics();
    const matched = all.filter((t) => pattern.test(t)).sort();
    if (matched.join('\n') === this.topics.join('\n')) return;
    this.topics = matched;
    const old = this.stream;
    this.stream = undefined;
    await old?.close();
  }

  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}

function drain(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, max: number): ConsumedRecord[] {
  const out: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
  while (out.length < max) {
    const m = stream.read() as Message<Buffer, Buffer, Buffer, Buffer> | null;
    if (m === null) break;
    out.push(m);
  }
  return out;
}
