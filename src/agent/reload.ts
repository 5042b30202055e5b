/**
 * Hot reload: the configuration file(s) are watched (chokidar) and re-read on a change or on SIGHUP.
 * A file with errors changes nothing: every error is logged and the running topology stays. A valid
 * one is applied component by component (plan-diff.ts) in a safe order: changed sources stop, changed
 * sink groups stop (draining a channel that is going away), channels are replaced or resized, then
 * new sink groups and sources start.
 *
 * Flume polls the file's mtime every 30 s and restarts everything; Sluice reacts within a fraction of
 * a second, restarts only what changed, and keeps the counters of what did not.
 */
import { type FSWatcher, watch } from 'chokidar';
import { MemoryChannel, memoryConfig } from '../channels/memory.ts';
import type { AgentPlan } from '../config/plan.ts';
import type { Channel } from '../core/channel.ts';
import type { Logger } from '../core/logger.ts';
import { ChannelCounter, type MetricsRegistry, SinkCounter } from '../core/metrics.ts';
import type { SinkRunner } from '../core/sink-runner.ts';
import { ConfigErrors } from '../errors.ts';
import type { Agent } from './agent.ts';
import { buildChannel, buildRunner, buildSource, type RunningSource, type Topology } from './build.ts';
import { diffPlans, groupKey, isEmpty, type PlanDiff, summarize } from './plan-diff.ts';

export interface ReloadDeps {
  logger: Logger;
  metrics: MetricsRegistry;
  /** How long a sink group whose channel goes away may drain it, in ms. */
  drainMs: number;
}

export interface Applied {
  topology: Topology;
  diff: PlanDiff;
  /** Components that failed to start; the next reload retries them. */
  failed: Set<string>;
}

/** Moves a running topology from `plan` to `next`, touching only what changed. */
export async function applyPlan(plan: AgentPlan, t: Topology, next: AgentPlan, deps: ReloadDeps, failedBefore: ReadonlySet<string>): Promise<Applied> {
  const { logger, metrics } = deps;
  const diff = diffPlans(plan, next, failedBefore);
  const failed = new Set<string>();
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failed.add(what);
      logger.error({ err, component: what }, `Reload could not start ${what}; it is retried on the next reload.`);
    }
  };

  const keptSources = new Map<string, RunningSource>();
  for (const s of t.sources) {
    const change = diff.sources.get(s.name);
    if (change === 'unchanged') {
      keptSources.set(s.name, s);
      continue;
    }
    await s.source.stop().catch((err) => logger.error({ err, source: s.name }, 'Source failed to stop cleanly.'));
    s.processor.close();
    if (change === 'removed') metrics.remove(s.counter);
  }

  const leaving = (channel: string) => ['removed', 'changed'].includes(diff.channels.get(channel)!);
  const keptRunners = new Map<string, SinkRunner>();
  await Promise.all(
    plan.groups.map(async (g) => {
      // A group that failed to build on an earlier reload has no runner.
      const runner = t.runners.find((r) => r.name === g.name && r.processor.sinks.map((s) => s.name).join(' ') === g.sinks.join(' '));
      if (!runner) return;
      if (diff.groups.get(groupKey(g)) === 'unchanged') {
        keptRunners.set(groupKey(g), runner);
        return;
      }
      // Events in a channel that stays are picked up by the new sinks; only a leaving one is drained.
      const drain = g.sinks.some((s) => leaving(plan.sinks.find((p) => p.name === s)!.channel));
      await runner.stop(drain ? deps.drainMs : 0);
    }),
  );
  for (const s of plan.sinks) {
    // remove() goes by type and name.
    if (!next.sinks.some((n) => n.name === s.name)) metrics.remove(new SinkCounter(s.name));
  }

  const channels = new Map<string, Channel>();
  for (const [name, ch] of t.channels) {
    if (!leaving(name)) channels.set(name, ch);
    else {
      await ch.stop();
      if (diff.channels.get(name) === 'removed') metrics.remove(new ChannelCounter(name));
    }
  }
  for (const p of next.channels) {
    const change = diff.channels.get(p.name);
    const running = channels.get(p.name);
    if (change === 'resized' && running instanceof MemoryChannel) {
      running.reconfigure(memoryConfig(p.options as Parameters<typeof memoryConfig>[0]));
    } else if (change === 'added' || change === 'changed') {
      await attempt(`channel ${p.name}`, async () => {
        const ch = buildChannel(next.agent, p, logger, metrics);
        channels.set(p.name, ch);
        await ch.start();
      });
    }
  }
  const wired = (names: readonly string[]) => names.every((n) => channels.has(n));

  const runners: SinkRunner[] = [];
  for (const g of next.groups) {
    const key = groupKey(g);
    const kept = keptRunners.get(key);
    if (kept) {
      runners.push(kept);
      continue;
    }
    const sinkChannels = g.sinks.map((s) => next.sinks.find((p) => p.name === s)!.channel);
    if (!wired(sinkChannels)) {
      failed.add(key);
      continue;
    }
    await attempt(key, async () => {
      const runner = buildRunner(next, g, channels, logger, metrics);
      runners.push(runner);
      await runner.start();
    });
  }

  const sources: RunningSource[] = [];
  for (const p of next.sources) {
    const kept = keptSources.get(p.name);
    if (kept) {
      sources.push(kept);
      continue;
    }
    if (!wired(p.channels)) {
      failed.add(`source ${p.name}`);
      continue;
    }
    await attempt(`source ${p.name}`, async () => {
      const s = buildSource(next.agent, p, channels, logger, metrics);
      sources.push(s);
      await s.processor.initialize();
      await s.source.start();
    });
  }
  return { topology: { channels, runners, sources }, diff, failed };
}

export interface ReloaderOptions {
  /** Re-reads the configuration; throws ConfigErrors when it is invalid. */
  load: () => Promise<AgentPlan> | AgentPlan;
  files: readonly string[];
  /** Watch the files (false: only SIGHUP and reload() trigger). */
  watchFiles: boolean;
  /** Editors save in several writes; changes closer than this are one reload. */
  debounceMs?: number;
}

/** `refused`: the file has errors; `failed`: it could not be read or applied (see the log). */
export type ReloadOutcome = 'applied' | 'unchanged' | 'refused' | 'failed';

/** Triggers reloads from file changes and SIGHUP, one at a time. */
export class ConfigReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly onSignal = () => void this.reload('SIGHUP');

  constructor(
    private readonly agent: Agent,
    private readonly logger: Logger,
    private readonly o: ReloaderOptions,
  ) {}

  async start(): Promise<void> {
    process.on('SIGHUP', this.onSignal);
    if (!this.o.watchFiles) return;
    const w = watch([...this.o.files], { ignoreInitial: true });
    this.watcher = w;
    const changed = (path: string) => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(`change of ${path}`), this.o.debounceMs ?? 150);
    };
    w.on('change', changed).on('add', changed);
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  }

  /** Reads the configuration again and applies it; waits for a reload already running. */
  reload(trigger: string): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.reloadOnce(trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    process.off('SIGHUP', this.onSignal);
    clearTimeout(this.timer);
    await this.watcher?.close();
    await this.queue;
  }

  private async reloadOnce(trigger: string): Promise<ReloadOutcome> {
    let plan: AgentPlan;
    try {
      plan = await this.o.load();
    } catch (err) {
      if (!(err instanceof ConfigErrors)) {
        this.logger.error({ err, trigger }, `Reload failed (${trigger}); the running configuration stays in force.`);
        return 'failed';
      }
      for (const e of err.errors) this.logger.error({ code: e.code, file: e.file, line: e.line, key: e.key }, e.message);
      const n = err.errors.length;
      this.logger.error({ trigger, errors: n }, `Reload refused (${trigger}): the configuration has ${n} error${n === 1 ? '' : 's'}; the running configuration stays in force.`);
      return 'refused';
    }
    for (const w of plan.warnings) this.logger.warn({ code: w.code }, w.message);
    let diff: PlanDiff;
    try {
      diff = await this.agent.reload(plan);
    } catch (err) {
      this.logger.error({ err, trigger }, `Reload failed (${trigger}) while applying the new configuration; what started keeps running.`);
      return 'failed';
    }
    if (isEmpty(diff)) {
      this.logger.info({ trigger }, `Reload (${trigger}): nothing changed.`);
      return 'unchanged';
    }
    this.logger.info({ trigger, changes: summarize(diff) }, `Configuration reloaded (${trigger}): ${summarize(diff)}.`);
    return 'applied';
  }
}
