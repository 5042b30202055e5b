/**
 * The HDFS sink's runtime (Flume's HDFSEventSink): routes each event to the bucket its escaped
 * `hdfs.path` + `hdfs.filePrefix` name, rolls files by count, size, interval and idleness, and writes
 * each bucket's share of the gathered transactions with one WebHDFS request per file.
 *
 * Why transactions are gathered: a WebHDFS write is a whole HDFS open-write-close, which costs
 * ~0.4 s at the close on a default cluster whatever its size. So while one write per file runs, the
 * next transactions gather (up to `hdfs.batchesPerWrite`) and leave together in the next write. Each
 * transaction commits only once every file holding its events confirmed its write.
 *
 * Events without a usable `timestamp` header when the path needs one go to `hdfs.fallbackPath` if it
 * is set (with the agent clock); otherwise their transaction fails with an error naming the header,
 * and stays in the channel, as in Flume, but loudly.
 */
import { promises as dns } from 'node:dns';
import { hostname } from 'node:os';
import type { SinkContext } from '../../core/component.ts';
import type { Event } from '../../core/event.ts';
import { sleep } from '../../core/lifecycle.ts';
import { SluiceError } from '../../errors.ts';
import { BatchingSink, IDLE_WAIT_MS } from '../util/batching-sink.ts';
import { createSerializer } from '../util/serializers/index.ts';
import { encodeSegment, finishFile, HdfsFile, writeSegment } from './bucket-writer.ts';
import type { HdfsSettings } from './options.ts';
import { eventTime, type HostInfo, MissingTimestamp, PathTemplate, ZoneClock } from './path.ts';
import { recoverOrphans } from './recover.ts';
import { SequenceFileSerializer } from './sequence-file.ts';
import { WebHdfs } from './webhdfs.ts';

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

interface Templates {
  path: PathTemplate;
  prefix: PathTemplate;
  fallback: PathTemplate | undefined;
}

async function hostInfo(): Promise<HostInfo> {
  const localhost = hostname();
  const ip = await dns.lookup(localhost).then((a) => a.address, () => '127.0.0.1');
  const fqdn = await dns.lookupService(ip, 0).then((s) => s.hostname, () => localhost);
  return { localhost, ip, fqdn };
}

export class HdfsSink extends BatchingSink {
  private readonly fs: WebHdfs;
  private readonly clock: ZoneClock;
  private templates: Templates | undefined;
  /** Open buckets, least recently used first (Map order). */
  private readonly buckets = new Map<string, Bucket>();
  /** Transactions waiting for the next write; undefined once that write started. */
  private gathering: Pending[] | undefined;
  /** Writes and timed closes run one after another in this chain. */
  private chain: Promise<void> = Promise.resolve();
  private readonly closing = new Set<Promise<void>>();
  private readonly live = new Set<string>();
  private abort = new AbortController();
  private recovery: Promise<unknown> = Promise.resolve();
  private missingTimestamps = 0;

  constructor(
    ctx: SinkContext,
    private readonly s: HdfsSettings,
  ) {
    super(ctx, { batchSize: s.batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: IDLE_WAIT_MS, maxInFlight: 2 * s.batchesPerWrite });
    this.fs = new WebHdfs({ urls: s.endpoints, user: s.user, doas: s.proxyUser, timeoutMs: s.callTimeoutMs });
    this.clock = new ZoneClock(s.time.timeZone);
  }

  override async start(): Promise<void> {
    await super.start();
    this.abort = new AbortController();
    const host = await hostInfo();
    const t: Templates = {
      path: new PathTemplate(this.s.path, host),
      prefix: new PathTemplate(this.s.filePrefix, host),
      fallback: this.s.fallbackPath === undefined ? undefined : new PathTemplate(this.s.fallbackPath, host),
    };
    this.templates = t;
    const { logger } = this.ctx;
    const targets = [t.path, ...(t.fallback ? [t.fallback] : [])].map((dir) => ({ dir, prefix: t.prefix, inUsePrefix: this.s.inUsePrefix, inUseSuffix: this.s.inUseSuffix, fileSuffix: this.s.fileSuffix }));
    // In the background: recovered files never collide with new ones, whose counters are new.
    this.recovery = (async () => {
      for (const target of targets) await recoverOrphans(this.fs, target, (p) => this.live.has(p), logger, this.abort.signal);
    })().catch((err: unknown) => logger.warn({ err }, `Could not look for in-use files left under "${this.s.path}" by an earlier run; they are looked for again at the next start.`));
    logger.info({ endpoints: this.s.endpoints, path: this.s.path }, `HDFS sink writing to "${this.s.path}" through WebHDFS at ${this.s.endpoints.join(', ')}.`);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.chain;
    this.abort.abort();
    await this.recovery;
    const open = [...this.buckets.values()];
    this.buckets.clear();
    for (const b of open) {
      clearTimeout(b.rollTimer);
      clearTimeout(b.idleTimer);
      if (b.file) this.finish(b.file);
    }
    await Promise.all(this.closing);
    this.fs.close();
  }

  /** Resolves once the events are in HDFS; gathered with the other transactions that arrive meanwhile. */
  protected deliver(events: Event[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { events, resolve, reject };
      if (this.gathering && this.gathering.length < this.s.batchesPerWrite) {
        this.gathering.push(p);
        return;
      }
      const group = [p];
      this.gathering = group;
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
      let keys: { dir: string; prefix: string }[];
      try {
        keys = p.events.map((e) => this.route(e, now));
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

  private route(e: Event, now: number): { dir: string; prefix: string } {
    const t = this.templates!;
    let dir = t.path;
    const needsTime = t.path.usesTime || t.prefix.usesTime;
    let ms = now;
    let raw = this.s.time.useLocalTimeStamp ? String(now) : e.headers['timestamp'];
    if (needsTime) {
      try {
        ms = eventTime(e.headers, this.s.time, this.clock, now);
      } catch (err) {
        if (!(err instanceof MissingTimestamp)) throw err;
        this.missingTimestamp(err.message);
        dir = t.fallback!;
        raw = String(now);
        ms = this.s.time.round ? this.clock.roundDown(now, this.s.time.round.unit, this.s.time.round.value) : now;
      }
    }
    return { dir: dir.render(e.headers, ms, this.clock, raw), prefix: t.prefix.render(e.headers, ms, this.clock, raw) };
  }

  private missingTimestamp(why: string): void {
    this.missingTimestamps++;
    const fallback = this.s.fallbackPath;
    if (fallback === undefined) {
      throw new SluiceError(
        'SLUICE_DELIVERY_FAILED',
        `HDFS sink "${this.ctx.name}": an event's "timestamp" header is ${why}, and hdfs.path "${this.s.path}" or hdfs.filePrefix uses time escapes. Set hdfs.useLocalTimeStamp = true, add a timestamp interceptor, or set hdfs.fallbackPath; the transaction stays in the channel.`,
        { header: 'timestamp', sink: this.ctx.name },
      );
    }
    if ((this.missingTimestamps & (this.missingTimestamps - 1)) === 0) {
      this.ctx.logger.warn({ count: this.missingTimestamps, fallbackPath: fallback }, `HDFS sink "${this.ctx.name}": ${this.missingTimestamps} event(s) so far had no usable "timestamp" header (this one: ${why}); they go to hdfs.fallbackPath "${fallback}".`);
    }
  }

  private bucket(key: { dir: string; prefix: string }, segments: Map<HdfsFile, Segment>): Bucket {
    const id = `${key.dir}/${key.prefix}`;
    let b = this.buckets.get(id);
    if (b) this.buckets.delete(id);
    else b = { key: id, dir: key.dir, prefix: key.prefix, counter: Date.now(), file: undefined };
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
    if (!f.created && !f.broken) {
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
          const last = this.abort.signal.aborted || (this.s.closeTries > 0 && attempt >= this.s.closeTries);
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
