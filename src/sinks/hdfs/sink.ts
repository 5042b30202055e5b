/**
 * The HDFS sink's runtime (Flume's HDFSEventSink): routes each event to the bucket its escaped
 * `hdfs.path` + `hdfs.filePrefix` name, rolls files by count, size, interval and idleness, and writes
 * each bucket's share of the gathered transactions with one WebHDFS request per file.
 *
 * Why transactions are gathered: a WebHDFS write is a whole HDFS open-write-close, which costs
 * ~0.4 s at the close on a default cluster whatever its size. So while one write per file runs, the
 * next transactions gather (up to `hdfs.batchesPerWrite` or 64 MiB) and leave together in the next
 * write. Each transaction commits only once every file holding its events confirmed its write. How
 * many can gather is bounded by the channel too (taken events count against its capacity): give the
 * channel room for many batches, e.g. capacity ≥ 50 × hdfs.batchSize.
 *
 * Which bucket an event goes to is router.ts; one file's writes and close are bucket-writer.ts.
 */
import type { SinkContext } from '../../core/component.ts';
import { bodyBytes, type Event } from '../../core/event.ts';
import { sleep } from '../../core/lifecycle.ts';
import { SluiceError } from '../../errors.ts';
import { BatchingSink, IDLE_WAIT_MS } from '../util/batching-sink.ts';
import { createSerializer } from '../util/serializers/index.ts';
import { encodeSegment, finishFile, HdfsFile, writeSegment } from './bucket-writer.ts';
import type { HdfsSettings } from './options.ts';
import { recoverOrphans } from './recover.ts';
import { type BucketKey, hostInfo, Router } from './router.ts';
import { SequenceFileSerializer } from './sequence-file.ts';
import { WebHdfs } from './webhdfs.ts';

/** Body bytes gathered into one write at most, so that one request stays a reasonable size. */
const MAX_WRITE_BYTES = 64 * 1024 * 1024;

interface Bucket {
  key: string;
  dir: string;
  prefix: string;
  counter: number;
  file: HdfsFile | undefined;
  rollTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
}

interface Pending {
  events: Event[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Segment {
  bucket: Bucket;
  file: HdfsFile;
  events: Event[];
  bytes: number;
  owners: Set<Pending>;
  close: boolean;
}

export class HdfsSink extends BatchingSink {
  private readonly fs: WebHdfs;
  private router: Router | undefined;
  /** Open buckets, least recently used first (Map order). */
  private readonly buckets = new Map<string, Bucket>();
  /** Transactions waiting for the next write; undefined once that write started. */
  private gathering: Pending[] | undefined;
  private gatheredBytes = 0;
  /** Writes and timed closes run one after another in this chain. */
  private chain: Promise<void> = Promise.resolve();
  private readonly closing = new Set<Promise<void>>();
  private readonly live = new Set<string>();
  private abort = new AbortController();
  private recovery: Promise<unknown> = Promise.resolve();
  private lastCounter = 0;

  constructor(
    ctx: SinkContext,
    private readonly s: HdfsSettings,
  ) {
    super(ctx, { batchSize: s.batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: IDLE_WAIT_MS, maxInFlight: 2 * s.batchesPerWrite });
    this.fs = new WebHdfs({ urls: s.endpoints, user: s.user, doas: s.proxyUser, timeoutMs: s.callTimeoutMs });
  }

  override async start(): Promise<void> {
    await super.start();
    this.abort = new AbortController();
    const router = new Router(this.s, await hostInfo(), this.ctx.name, this.ctx.logger);
    this.router = router;
    const { logger } = this.ctx;
    // In the background: recovered files never collide with new ones, whose counters are new.
    this.recovery = (async () => {
      for (const target of router.recoveryTargets()) await recoverOrphans(this.fs, target, (p) => this.live.has(p), logger, this.abort.signal, this.s.retryIntervalMs);
    })().catch((err: unknown) => logger.error({ err }, 'HDFS sink: unexpected failure in the recovery of in-use files.'));
    logger.info({ endpoints: this.s.endpoints, path: this.s.path }, `HDFS sink writing to "${this.s.path}" through WebHDFS at ${this.s.endpoints.join(', ')}.`);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.chain;
    this.abort.abort();
    const open = [...this.buckets.values()];
    this.buckets.clear();
    for (const b of open) {
      clearTimeout(b.rollTimer);
      clearTimeout(b.idleTimer);
      if (b.file) this.finish(b.file);
    }
    await this.recovery;
    await Promise.all(this.closing);
    this.fs.close();
  }

  /** Resolves once the events are in HDFS; gathered with the other transactions that arrive meanwhile. */
  protected deliver(events: Event[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { events, resolve, reject };
      const bytes = bodyBytes(events);
      if (this.gathering && this.gathering.length < this.s.batchesPerWrite && this.gatheredBytes + bytes <= MAX_WRITE_BYTES) {
        this.gathering.push(p);
        this.gatheredBytes += bytes;
        return;
      }
      const group = [p];
      this.gathering = group;
      this.gatheredBytes = bytes;
      this.serial(async () => {
        if (this.gathering === group) this.gathering = undefined;
        await this.write(group);
      });
    });
  }

  private serial(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => this.ctx.logger.error({ err }, 'HDFS sink: unexpected failure in its write loop.'));
  }

  private async write(group: Pending[]): Promise<void> {
    const failed = new Map<Pending, unknown>();
    const segments = new Map<HdfsFile, Segment>();
    const now = Date.now();
    for (const p of group) {
      let keys: BucketKey[];
      try {
        keys = p.events.map((e) => this.router!.route(e, now));
      } catch (err) {
        failed.set(p, err);
        continue;
      }
      for (let i = 0; i < keys.length; i++) this.add(segments, this.bucket(keys[i]!, segments), p.events[i]!, p);
    }
    await Promise.all([...segments.values()].map((seg) => this.writeSegment(seg, failed)));
    for (const p of group) {
      const err = failed.get(p);
      if (err === undefined) p.resolve();
      else p.reject(err);
    }
  }

  private bucket(key: BucketKey, segments: Map<HdfsFile, Segment>): Bucket {
    const id = `${key.dir}/${key.prefix}`;
    let b = this.buckets.get(id);
    if (b) this.buckets.delete(id);
    // Counters only grow within the sink, so a bucket re-created after a timed close cannot reuse a name.
    else b = { key: id, dir: key.dir, prefix: key.prefix, counter: Math.max(Date.now(), this.lastCounter), file: undefined };
    this.buckets.set(id, b);
    if (this.buckets.size > this.s.maxOpenFiles) {
      const [eldestKey, eldest] = this.buckets.entries().next().value!;
      this.buckets.delete(eldestKey);
      this.retire(eldest, segments);
    }
    return b;
  }

  /** Closes a bucket's file now, or once this write is done if the write includes it. */
  private retire(b: Bucket, segments: Map<HdfsFile, Segment>): void {
    clearTimeout(b.rollTimer);
    clearTimeout(b.idleTimer);
    const f = b.file;
    b.file = undefined;
    if (!f) return;
    const seg = segments.get(f);
    if (seg) seg.close = true;
    else this.finish(f);
  }

  private add(segments: Map<HdfsFile, Segment>, b: Bucket, e: Event, p: Pending): void {
    let f = b.file;
    let seg = f ? segments.get(f) : undefined;
    if (f && this.shouldRoll(f, seg)) {
      if (seg) seg.close = true;
      else this.finish(f);
      f = undefined;
    }
    if (!f) {
      f = this.open(b);
      seg = undefined;
    }
    if (!seg) {
      seg = { bucket: b, file: f, events: [], bytes: 0, owners: new Set(), close: false };
      segments.set(f, seg);
    }
    seg.events.push(e);
    seg.bytes += e.body.length;
    seg.owners.add(p);
  }

  private shouldRoll(f: HdfsFile, seg: Segment | undefined): boolean {
    const { rollCount, rollSize } = this.s;
    return (rollCount > 0 && f.events + (seg?.events.length ?? 0) >= rollCount) || (rollSize > 0 && f.bodyBytes + (seg?.bytes ?? 0) >= rollSize);
  }

  private open(b: Bucket): HdfsFile {
    b.counter++;
    this.lastCounter = Math.max(this.lastCounter, b.counter);
    const name = `${b.prefix}.${b.counter}${this.s.fileSuffix}`;
    const s = this.s;
    const serializer = s.fileType === 'SequenceFile' ? new SequenceFileSerializer(s.writeFormat, s.codec) : createSerializer(s.serializer);
    const f = new HdfsFile(`${b.dir}/${s.inUsePrefix}${name}${s.inUseSuffix}`, `${b.dir}/${name}`, serializer);
    b.file = f;
    this.live.add(f.tmpPath);
    this.ctx.counter.connectionCreated++;
    clearTimeout(b.rollTimer);
    if (s.rollIntervalMs > 0) b.rollTimer = setTimeout(() => this.timedClose(b, f, 'hdfs.rollInterval'), s.rollIntervalMs);
    return f;
  }

  private timedClose(b: Bucket, f: HdfsFile, why: string): void {
    this.serial(async () => {
      if (b.file !== f) return;
      this.ctx.logger.debug({ path: f.finalPath }, `Closing "${f.finalPath}" (${why}).`);
      if (this.buckets.get(b.key) === b) this.buckets.delete(b.key);
      this.retire(b, new Map());
    });
  }

  private async writeSegment(seg: Segment, failed: Map<Pending, unknown>): Promise<void> {
    const { file: f, bucket: b } = seg;
    try {
      await writeSegment(this.fs, f, encodeSegment(f, seg.events, this.s));
      f.events += seg.events.length;
      f.bodyBytes += seg.bytes;
      if (this.s.idleTimeoutMs > 0 && b.file === f) {
        clearTimeout(b.idleTimer);
        b.idleTimer = setTimeout(() => this.timedClose(b, f, 'hdfs.idleTimeout'), this.s.idleTimeoutMs);
      }
    } catch (err) {
      this.ctx.counter.connectionFailed++;
      this.ctx.logger.warn({ err, path: f.tmpPath }, `Write to "${f.tmpPath}" failed; the file is closed at its last confirmed length (${f.length} bytes) and the events are retried in a new file.`);
      for (const p of seg.owners) if (!failed.has(p)) failed.set(p, err);
      if (b.file === f) b.file = undefined;
      seg.close = true;
    }
    if (seg.close) this.finish(f);
  }

  /** Closes a file in the background, retrying as hdfs.closeTries and hdfs.retryInterval say. */
  private finish(f: HdfsFile): void {
    if (f.foreign || (!f.created && !f.broken)) {
      this.live.delete(f.tmpPath);
      return;
    }
    const task = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await finishFile(this.fs, f.tmpPath, f.finalPath, f.length, f.broken);
          if (r.done) {
            this.ctx.counter.connectionClosed++;
            this.ctx.logger.debug({ path: f.finalPath }, `Closed "${f.finalPath}": ${r.note}.`);
            break;
          }
          throw new SluiceError('SLUICE_HDFS_REMOTE', `Could not rename "${f.tmpPath}" to "${f.finalPath}": ${r.note}.`);
        } catch (err) {
          // As in Flume, hdfs.retryInterval = 0 means one close attempt only.
          const last = this.abort.signal.aborted || this.s.retryIntervalMs <= 0 || (this.s.closeTries > 0 && attempt >= this.s.closeTries);
          this.ctx.logger.warn({ err, path: f.tmpPath, attempt }, `Closing "${f.tmpPath}" failed (attempt ${attempt})${last ? '; it stays in use and is recovered at the next start' : `; retrying in ${this.s.retryIntervalMs / 1000} s`}.`);
          if (last) break;
          await sleep(this.s.retryIntervalMs, this.abort.signal);
        }
      }
      this.live.delete(f.tmpPath);
    })();
    this.closing.add(task);
    void task.finally(() => this.closing.delete(task));
  }
}
