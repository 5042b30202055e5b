/**
 * A running agent: start order channels → sink runners → sources, stop in reverse (as Flume's
 * supervisor does). Stopping lets sinks drain the channels for a bounded time.
 */
import type { AgentPlan } from '../config/plan.ts';
import type { Logger } from '../core/logger.ts';
import { MetricsRegistry } from '../core/metrics.ts';
import { SluiceError } from '../errors.ts';
import { buildTopology, type Topology } from './build.ts';
import type { PlanDiff } from './plan-diff.ts';
import { applyPlan } from './reload.ts';
import { Taps } from './tap.ts';

export interface AgentOptions {
  logger: Logger;
  /** How long sinks may keep draining on stop, in ms. */
  drainMs?: number;
}

export class Agent {
  readonly metrics = new MetricsRegistry();
  /** Samplers `agent tap` attaches; re-bound whenever the running objects change. */
  readonly taps = new Taps();
  private topology: Topology | undefined;
  private readonly logger: Logger;
  /** Components a reload could not start, retried by the next reload. */
  private failed: ReadonlySet<string> = new Set();

  constructor(
    private plan: AgentPlan,
    private readonly opts: AgentOptions,
  ) {
    this.logger = opts.logger;
  }

  get name(): string {
    return this.plan.agent;
  }

  get current(): AgentPlan {
    return this.plan;
  }

  get running(): Topology | undefined {
    return this.topology;
  }

  async start(): Promise<void> {
    if (this.topology) return;
    for (const w of this.plan.warnings) this.logger.warn({ code: w.code }, w.message);
    const t = buildTopology(this.plan, this.logger, this.metrics);
    this.topology = t;
    try {
      for (const ch of t.channels.values()) await ch.start();
      for (const r of t.runners) await r.start();
      for (const s of t.sources) {
        await s.processor.initialize();
        await s.source.start();
      }
    } catch (err) {
      await this.stop(0).catch(() => undefined);
      throw new SluiceError('SLUICE_AGENT_START', `Agent "${this.plan.agent}" could not start: ${(err as Error).message}`, { cause: err });
    }
    this.taps.bind(t);
    this.logger.info({ agent: this.plan.agent, sources: t.sources.length, channels: t.channels.size, sinkGroups: t.runners.length }, 'Agent started.');
  }

  /** Applies a new valid plan to the running agent, restarting only what changed (reload.ts). */
  async reload(next: AgentPlan): Promise<PlanDiff> {
    const t = this.topology;
    if (!t) throw new SluiceError('SLUICE_AGENT_START', `Agent "${this.plan.agent}" is not running; start it before reloading its configuration.`);
    const r = await applyPlan(this.plan, t, next, { logger: this.logger, metrics: this.metrics, drainMs: this.opts.drainMs ?? 5000 }, this.failed);
    this.plan = next;
    this.topology = r.topology;
    this.failed = r.failed;
    this.taps.bind(r.topology);
    return r.diff;
  }

  async stop(drainMs = this.opts.drainMs ?? 5000): Promise<void> {
    const t = this.topology;
    if (!t) return;
    this.topology = undefined;
    this.taps.bind(undefined);
    for (const s of t.sources) {
      await s.source.stop().catch((err) => this.logger.error({ err, source: s.name }, 'Source failed to stop cleanly.'));
      s.processor.close();
    }
    await Promise.all(t.runners.map((r) => r.stop(drainMs)));
    for (const ch of t.channels.values()) await ch.stop();
    this.logger.info({ agent: this.plan.agent }, 'Agent stopped.');
  }
}
