/**
 * Which bucket an event goes to: `hdfs.path` and `hdfs.filePrefix` escaped for the event (Flume's
 * BucketPath calls in HDFSEventSink.process). An event whose time escapes have no usable `timestamp`
 * header goes to `hdfs.fallbackPath` (escaped with the agent clock) when that is set; otherwise its
 * transaction fails with an error naming the header, where Flume fails it silently forever.
 */
import { promises as dns } from 'node:dns';
import { hostname } from 'node:os';
import type { Event } from '../../core/event.ts';
import type { Logger } from '../../core/logger.ts';
import { SluiceError } from '../../errors.ts';
import type { HdfsSettings } from './options.ts';
import { eventTime, type HostInfo, MissingTimestamp, PathTemplate, ZoneClock } from './path.ts';
import type { RecoveryTarget } from './recover.ts';

export interface BucketKey {
  dir: string;
  prefix: string;
}

/** The agent's host name, address and canonical name, for %[localhost], %[IP] and %[FQDN]. */
export async function hostInfo(): Promise<HostInfo> {
  const localhost = hostname();
  const ip = await dns.lookup(localhost).then((a) => a.address, () => '127.0.0.1');
  const fqdn = await dns.lookupService(ip, 0).then((s) => s.hostname, () => localhost);
  return { localhost, ip, fqdn };
}

export class Router {
  private readonly path: PathTemplate;
  private readonly prefix: PathTemplate;
  private readonly fallback: PathTemplate | undefined;
  private readonly clock: ZoneClock;
  private readonly needsTime: boolean;
  private missing = 0;

  constructor(
    private readonly s: HdfsSettings,
    host: HostInfo,
    private readonly sink: string,
    private readonly logger: Logger,
  ) {
    this.path = new PathTemplate(s.path, host);
    this.prefix = new PathTemplate(s.filePrefix, host);
    this.fallback = s.fallbackPath === undefined ? undefined : new PathTemplate(s.fallbackPath, host);
    this.clock = new ZoneClock(s.time.timeZone);
    this.needsTime = this.path.usesTime || this.prefix.usesTime;
  }

  /** The directories in-use files can be in, for recovery at start. */
  recoveryTargets(): RecoveryTarget[] {
    const { inUsePrefix, inUseSuffix, fileSuffix } = this.s;
    return [this.path, ...(this.fallback ? [this.fallback] : [])].map((dir) => ({ dir, prefix: this.prefix, inUsePrefix, inUseSuffix, fileSuffix }));
  }

  route(e: Event, now: number): BucketKey {
    const t = this.s.time;
    let dir = this.path;
    let ms = now;
    let raw = t.useLocalTimeStamp ? String(now) : e.headers['timestamp'];
    if (this.needsTime) {
      try {
        ms = eventTime(e.headers, t, this.clock, now);
      } catch (err) {
        if (!(err instanceof MissingTimestamp)) throw err;
        dir = this.noTimestamp(err.message);
        raw = String(now);
        ms = t.round ? this.clock.roundDown(now, t.round.unit, t.round.value) : now;
      }
    }
    return { dir: dir.render(e.headers, ms, this.clock, raw), prefix: this.prefix.render(e.headers, ms, this.clock, raw) };
  }

  private noTimestamp(why: string): PathTemplate {
    this.missing++;
    if (!this.fallback) {
      throw new SluiceError(
        'SLUICE_DELIVERY_FAILED',
        `HDFS sink "${this.sink}": an event's "timestamp" header is ${why}, and hdfs.path "${this.s.path}" or hdfs.filePrefix uses time escapes. Set hdfs.useLocalTimeStamp = true, add a timestamp interceptor, or set hdfs.fallbackPath; the transaction stays in the channel.`,
        { header: 'timestamp', sink: this.sink },
      );
    }
    // Logged at 1, 2, 4, 8, ... events: visible without flooding the log.
    if ((this.missing & (this.missing - 1)) === 0) {
      this.logger.warn({ count: this.missing, fallbackPath: this.s.fallbackPath }, `HDFS sink "${this.sink}": ${this.missing} event(s) so far had no usable "timestamp" header (this one: ${why}); they go to hdfs.fallbackPath "${this.s.fallbackPath}".`);
    }
    return this.fallback;
  }
}
