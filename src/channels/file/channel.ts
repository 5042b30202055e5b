/**
 * The file channel at run time: transactions, capacity and lifecycle over the data log, the in-memory
 * queue and the checkpoints. A put commit writes the whole batch as one record; a take commit writes
 * only the event ranges it removed. Both return once their record is durable (group commit, log.ts).
 */
import type { Channel, PutTransaction, TakeTransaction } from '../../core/channel.ts';
import type { Event } from '../../core/event.ts';
import type { Logger } from '../../core/logger.ts';
import type { ChannelCounter } from '../../core/metrics.ts';
import { SluiceError } from '../../errors.ts';
import { encodeCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { checkNotFlume } from './files.ts';
import { encodePut, encodeTake } from './format.ts';
import { type DirLock, lockDir } from './lock.ts';
import { DataLog } from './log.ts';
import type { FileChannelConfig } from './options.ts';
import { Batch, type Piece, PieceQueue } from './queue.ts';
import { EventReader } from './reader.ts';
import { recover } from './replay.ts';
import { Signal } from './signal.ts';
import { SpaceGuard } from './space.ts';

/** The pieces an open take transaction holds: still in the channel, and in every checkpoint. */
interface Held {
  pieces: Piece[];
}

export class FileChannel implements Channel {
  readonly durable = true;
  private queue = new PieceQueue();
  private readonly held = new Set<Held>();
  /** Events queued plus events held by open takes. */
  private used = 0;
  private log: DataLog | undefined;
  private reader: EventReader | undefined;
  private locks: DirLock[] = [];
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private changed = false;
  private checkpointing: Promise<void> | undefined;
  private readonly space: SpaceGuard;
  private readonly room = new Signal();
  private readonly data = new Signal();
  private readonly checkpointDirs: string[];

  constructor(
    readonly name: string,
    private readonly config: FileChannelConfig,
    private readonly counter: ChannelCounter,
    private readonly logger: Logger,
  ) {
    this.checkpointDirs = [config.checkpointDir, ...(config.backupCheckpointDir ? [config.backupCheckpointDir] : [])];
    this.space = new SpaceGuard([...this.checkpointDirs, ...config.dataDirs], config.minimumRequiredSpace, name, logger);
    counter.size = () => this.queue.count;
    counter.capacity = () => this.config.capacity;
  }

  get transactionCapacity(): number {
    return this.config.transactionCapacity;
  }

  size(): number {
    return this.queue.count;
  }

  capacity(): number {
    return this.config.capacity;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const c = this.config;
    const started = Date.now();
    try {
      checkNotFlume(this.name, this.checkpointDirs, c.dataDirs);
      for (const dir of [...this.checkpointDirs, ...c.dataDirs]) this.locks.push(lockDir(dir, this.name, this.logger));
      const r = recover({ channel: this.name, dataDirs: c.dataDirs, checkpointDirs: this.checkpointDirs, logger: this.logger });
      // A channel started again after stop() rebuilds its queue from disk like a new one.
      this.queue = new PieceQueue();
      this.held.clear();
      for (const p of r.pieces) this.queue.push(p);
      this.used = this.queue.count;
      this.log = new DataLog({ channel: this.name, dataDirs: c.dataDirs, maxFileSize: c.maxFileSize, fsyncPerTransaction: c.fsyncPerTransaction, logger: this.logger, onDiskFull: () => this.space.invalidate() }, r.files);
      this.reader = new EventReader(this.name, this.log);
      await this.log.open(r.nextFileId);
      this.running = true;
      await this.checkpoint();
      this.logger.info(
        { events: this.queue.count, replayedBytes: r.replayedBytes, ms: Date.now() - started },
        `Channel "${this.name}" started with ${this.queue.count} events after replaying ${r.replayedBytes} bytes of data files.`,
      );
    } catch (err) {
      this.running = false;
      await this.log?.close().catch(() => undefined);
      this.release();
      if (err instanceof SluiceError) throw err;
      throw new SluiceError('SLUICE_CHANNEL_IO', `Channel "${this.name}" could not open its files: ${(err as Error).message}`, { cause: err });
    }
    const every = (ms: number, fn: () => Promise<void>, what: string) => {
      const t = setInterval(() => void fn().catch((err) => this.logger.error({ err }, `Channel "${this.name}" could not ${what}; it retries in ${ms} ms.`)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(c.checkpointIntervalMs, async () => (this.changed ? this.checkpoint() : undefined), 'write a checkpoint');
    if (!c.fsyncPerTransaction) every(c.fsyncIntervalMs, () => this.log!.sync(), 'sync its data file');
    this.counter.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.data.wakeAll();
    this.room.wakeAll();
    await this.log!.idle();
    const last = this.config.checkpointOnClose ? this.checkpoint() : this.checkpointing;
    await last?.catch((err) => this.logger.error({ err }, `Channel "${this.name}" could not write its closing checkpoint; the next start replays more.`));
    await this.log!.close();
    this.release();
    this.counter.stop();
  }

  beginPut(): PutTransaction {
    let staged: Event[][] = [];
    let count = 0;
    return {
      put: (events) => {
        this.counter.putAttempt += events.length;
        if (count + events.length > this.config.transactionCapacity) {
          throw new SluiceError('SLUICE_CHANNEL_TX_CAPACITY', `Put of ${count + events.length} events exceeds transactionCapacity ${this.config.transactionCapacity} of channel "${this.name}".`);
        }
        staged.push(events);
        count += events.length;
      },
      commit: async () => {
        if (count === 0) return;
        const batches = staged;
        const n = count;
        staged = [];
        count = 0;
        await this.commitPut(batches, n);
      },
      rollback: async () => {
        staged = [];
        count = 0;
      },
    };
  }

  beginTake(): TakeTransaction {
    const held: Held = { pieces: [] };
    let taken = 0;
    return {
      take: async (max, waitMs = 0) => {
        if (this.queue.count === 0 && waitMs > 0 && this.running) await this.data.wait(waitMs);
        const n = Math.min(max, this.config.transactionCapacity - taken);
        this.counter.takeAttempt += Math.max(n, 1);
        if (!this.running || n <= 0) return [];
        const from = held.pieces.length;
        const got = this.queue.take(n, held.pieces);
        if (got === 0) return [];
        taken += got;
        this.held.add(held);
        return this.reader!.events(held.pieces, from);
      },
      commit: async () => {
        if (held.pieces.length === 0) return;
        if (!this.running) throw this.closed();
        const pieces = held.pieces;
        const n = taken;
        const record = encodeTake(pieces.map((p) => ({ fileId: p.batch.fileId, offset: p.batch.offset, start: p.start, end: p.end })));
        await this.log!.append(record, false, () => {
          for (const p of pieces) {
            p.batch.remaining -= p.end - p.start;
            if (p.batch.remaining === 0) this.reader!.release(p.batch);
          }
          this.used -= n;
          this.held.delete(held);
          this.changed = true;
          this.room.wakeAll();
        });
        held.pieces = [];
        taken = 0;
        this.counter.takeSuccess += n;
      },
      rollback: async () => {
        if (held.pieces.length === 0) return;
        this.queue.unshift(held.pieces);
        this.held.delete(held);
        held.pieces = [];
        taken = 0;
        this.data.wakeAll();
      },
    };
  }

  /** Writes a checkpoint now (concurrent calls share one), then deletes the data files it no longer needs. */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.writeCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }

  private async writeCheckpoint(): Promise<void> {
    const log = this.log!;
    const pieces: Piece[] = [];
    for (const h of this.held) pieces.push(...h.pieces);
    this.queue.appendTo(pieces);
    // Taken in one synchronous step: the pieces and the log position describe the same moment.
    const { data, oldestFile } = encodeCheckpoint(log.applied, pieces);
    this.changed = false;
    try {
      await log.sync();
      for (const dir of this.checkpointDirs) await writeCheckpoint(dir, data);
    } catch (err) {
      this.changed = true;
      throw err instanceof SluiceError ? err : new SluiceError('SLUICE_CHANNEL_IO', `Channel "${this.name}" could not write its checkpoint: ${(err as Error).message}`, { cause: err });
    }
    const removed = await log.removeBefore(oldestFile);
    if (removed.length > 0) this.logger.debug({ fileIds: removed }, `Channel "${this.name}" deleted ${removed.length} fully taken data files.`);
  }

  private async commitPut(batches: Event[][], n: number): Promise<void> {
    if (!this.running) throw this.closed();
    await this.reserve(n);
    try {
      const record = encodePut(batches, n);
      await this.space.reserve(record.length);
      await this.log!.append(record, true, (fileId, offset) => {
        const batch = new Batch(fileId, offset, record.length, n);
        this.reader!.cache(batch, batches.length === 1 ? batches[0]! : batches.flat());
        this.queue.push({ batch, start: 0, end: n });
        this.changed = true;
        this.data.wakeAll();
      });
    } catch (err) {
      this.used -= n;
      this.room.wakeAll();
      throw err;
    }
    this.counter.putSuccess += n;
  }

  private async reserve(n: number): Promise<void> {
    const deadline = Date.now() + this.config.keepAliveMs;
    while (this.used + n > this.config.capacity) {
      const left = deadline - Date.now();
      if (!this.running) throw this.closed();
      if (left <= 0) {
        throw new SluiceError('SLUICE_CHANNEL_FULL', `Channel "${this.name}" is full (${this.used} of ${this.config.capacity} events); the source should retry later.`);
      }
      await this.room.wait(left);
    }
    this.used += n;
  }

  private closed(): SluiceError {
    return new SluiceError('SLUICE_CHANNEL_CLOSED', `Channel "${this.name}" is stopped.`);
  }

  private release(): void {
    for (const l of this.locks) l.release();
    this.locks = [];
  }
}
