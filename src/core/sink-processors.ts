/**
 * Sink processors (Flume §6): how a sink group picks which sink takes the next batch.
 *
 * Order: Flume ranks failover sinks without a priority, and starts round robin, in Java hash-set
 * order, which users cannot predict. Sluice uses the order of the group's `sinks` list instead:
 * unprioritised failover sinks rank below every prioritised one, earlier in the list ranking higher;
 * round robin starts at the first listed sink.
 */
import { opt, type OptionsOf } from '../config/schema.ts';
import { SluiceError } from '../errors.ts';
import type { Sink, SinkStatus } from './component.ts';
import type { Logger } from './logger.ts';

export interface SinkProcessor {
  readonly sinks: readonly NamedSink[];
  process(): Promise<SinkStatus>;
}

export interface NamedSink {
  name: string;
  sink: Sink;
}

export class DefaultSinkProcessor implements SinkProcessor {
  readonly sinks: readonly NamedSink[];
  constructor(sink: NamedSink) {
    this.sinks = [sink];
  }
  process(): Promise<SinkStatus> {
    return this.sinks[0]!.sink.process();
  }
}

export const failoverOptions = {
  priority: opt.prefix('`processor.priority.<sink>`: integer, higher is preferred.'),
  maxpenalty: opt.int('Cap in ms of the cool-down of a failed sink.', { default: 30000, min: 0 }),
};

interface Ranked extends NamedSink {
  priority: number;
  failures: number;
  /** Epoch ms when a failed sink may be tried again; 0 while it is live. */
  retryAt: number;
}

export class FailoverSinkProcessor implements SinkProcessor {
  private readonly ranked: Ranked[];

  constructor(
    readonly sinks: readonly NamedSink[],
    o: OptionsOf<typeof failoverOptions>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.maxPenalty = o.maxpenalty;
    let unranked = -1;
    const seen = new Map<number, string>();
    this.ranked = [];
    for (const s of sinks) {
      const raw = o.priority[s.name];
      const priority = raw !== undefined && /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : unranked--;
      const clash = seen.get(priority);
      if (clash !== undefined) {
        throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `Sinks "${clash}" and "${s.name}" have the same failover priority ${priority}; Flume would silently drop "${s.name}".`);
      }
      seen.set(priority, s.name);
      this.ranked.push({ ...s, priority, failures: 0, retryAt: 0 });
    }
    this.ranked.sort((a, b) => b.priority - a.priority);
  }

  private readonly maxPenalty: number;

  async process(): Promise<SinkStatus> {
    const t = this.now();
    // Failed sinks whose cool-down has passed get one try; success restores them.
    for (const s of this.ranked) {
      if (s.retryAt === 0 || s.retryAt > t) continue;
      try {
        const status = await s.sink.process();
        s.failures = 0;
        s.retryAt = 0;
        this.logger.info({ sink: s.name }, 'Failover sink recovered.');
        return status;
      } catch (err) {
        this.penalise(s, err);
      }
    }
    for (const s of this.ranked) {
      if (s.retryAt !== 0) continue;
      try {
        return await s.sink.process();
      } catch (err) {
        this.penalise(s, err);
      }
    }
    throw new SluiceError('SLUICE_SINK_ALL_FAILED', `All sinks of the failover group failed (${this.ranked.map((s) => s.name).join(', ')}).`);
  }

  private penalise(s: Ranked, err: unknown): void {
    s.failures++;
    const penalty = Math.min(this.maxPenalty, 2 ** Math.min(s.failures, 30) * 1000);
    s.retryAt = this.now() + penalty;
    this.logger.warn({ sink: s.name, err, penaltyMs: penalty }, 'Sink failed; failing over to the next one.');
  }

  /** The sink that gets the next batch, for tests and the topology view. */
  active(): string | undefined {
    return this.ranked.find((s) => s.retryAt === 0)?.name;
  }
}

export const loadBalanceOptions = {
  selector: opt.enum('How the next sink is chosen.', ['round_robin', 'random'] as const, { default: 'round_robin' }),
  backoff: opt.bool('Exclude a failed sink for a while (exponential, capped by selector.maxTimeOut).', { default: false }),
  'selector.maxTimeOut': opt.int('Cap in ms of the exclusion of a failed sink.', { default: 30000, min: 0 }),
};

interface Balanced extends NamedSink {
  failures: number;
  excludedUntil: number;
  lastFailure: number;
}

export class LoadBalancingSinkProcessor implements SinkProcessor {
  private readonly members: Balanced[];
  private next = 0;

  constructor(
    readonly sinks: readonly NamedSink[],
    private readonly o: OptionsOf<typeof loadBalanceOptions>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.members = sinks.map((s) => ({ ...s, failures: 0, excludedUntil: 0, lastFailure: 0 }));
  }

  async process(): Promise<SinkStatus> {
    const t = this.now();
    const order = this.order().filter((s) => !this.o.backoff || s.excludedUntil <= t);
    let lastErr: unknown;
    for (const s of order) {
      try {
        const status = await s.sink.process();
        s.failures = 0;
        return status;
      } catch (err) {
        lastErr = err;
        this.fail(s, err);
      }
    }
    throw new SluiceError('SLUICE_SINK_ALL_FAILED', `All sinks of the load_balance group failed or are backing off (${this.members.map((s) => s.name).join(', ')}).`, { cause: lastErr });
  }

  private order(): Balanced[] {
    const m = this.members;
    if (this.o.selector === 'random') {
      const a = m.slice();
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    }
    const start = this.next++ % m.length;
    return [...m.slice(start), ...m.slice(0, start)];
  }

  private fail(s: Balanced, err: unknown): void {
    const t = this.now();
    // Flume forgets a failure streak after an hour without failures.
    if (t - s.lastFailure > 3_600_000) s.failures = 0;
    s.failures = Math.min(s.failures + 1, 16);
    s.lastFailure = t;
    if (this.o.backoff) s.excludedUntil = t + Math.min(this.o['selector.maxTimeOut'], 1000 * 2 ** s.failures);
    this.logger.warn({ sink: s.name, err }, 'Sink failed; trying the next one of the load_balance group.');
  }
}
