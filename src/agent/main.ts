/**
 * What the `agent` command does: load and check the configuration, start the agent and the monitoring
 * server, and stop cleanly on SIGTERM/SIGINT (sinks drain for a bounded time; a second signal exits
 * at once).
 */
import { loadConfig } from '../config/load.ts';
import type { AgentPlan } from '../config/plan.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { ConfigErrors } from '../errors.ts';
import { Agent } from './agent.ts';
import { startMonitoring } from './http.ts';

export interface RunOptions {
  files: string[];
  agent: string;
  logLevel: string;
  /** -Dkey=value flags, as given to flume-ng (flume.monitoring.type/port among them). */
  sys: Record<string, string>;
  metricsPort?: number;
  metricsHost?: string;
  drainMs: number;
}

export function load(o: RunOptions, logger: Logger): AgentPlan | undefined {
  try {
    return loadConfig({ files: o.files, agent: o.agent, sys: o.sys });
  } catch (err) {
    if (err instanceof ConfigErrors) {
      logger.error({ code: err.code, errors: err.errors.map((e) => ({ code: e.code, file: e.file, line: e.line, key: e.key, message: e.message })) }, 'Refusing to start: the configuration has errors.');
      process.stderr.write(`${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

function monitoringPort(o: RunOptions): number | undefined {
  if (o.metricsPort !== undefined) return o.metricsPort;
  if (o.sys['flume.monitoring.type']?.toLowerCase() === 'http') return Number(o.sys['flume.monitoring.port'] ?? 41414);
  return undefined;
}

export async function run(o: RunOptions): Promise<number> {
  const logger = createLogger(o.logLevel);
  const plan = load(o, logger);
  if (!plan) return 1;
  const agent = new Agent(plan, { logger, drainMs: o.drainMs });
  const port = monitoringPort(o);
  const monitor = port === undefined ? undefined : await startMonitoring(port, o.metricsHost ?? '0.0.0.0', () => (agent.running ? agent.metrics : undefined));
  if (monitor) logger.info({ port: monitor.port }, 'Monitoring on /metrics, /prometheus and /health.');
  await agent.start();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'Second signal: exiting at once.');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal, drainMs: o.drainMs }, 'Stopping: sources first, then sinks drain.');
      void agent
        .stop(o.drainMs)
        .then(() => monitor?.close())
        .then(() => resolve(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export function validate(o: RunOptions): number {
  const logger = createLogger(o.logLevel);
  const plan = load(o, logger);
  if (!plan) return 1;
  for (const w of plan.warnings) process.stdout.write(`warning [${w.code}] ${w.message}\n`);
  process.stdout.write(describePlan(plan));
  return 0;
}

export function describePlan(plan: AgentPlan): string {
  const lines = [`agent ${plan.agent} (${plan.file}) is valid:`];
  for (const s of plan.sources) {
    const icpt = s.interceptors.length ? ` | ${s.interceptors.map((i) => `${i.name}:${i.descriptor.type}`).join(' → ')}` : '';
    lines.push(`  source ${s.name} (${s.descriptor.type})${icpt} → ${s.selector.type} → [${s.channels.join(', ')}]`);
  }
  for (const c of plan.channels) lines.push(`  channel ${c.name} (${c.descriptor.type})`);
  for (const g of plan.groups) {
    const members = g.sinks.map((n) => {
      const s = plan.sinks.find((x) => x.name === n)!;
      return `${n} (${s.descriptor.type}) ← ${s.channel}`;
    });
    lines.push(`  ${g.implicit ? 'sink' : `sinkgroup ${g.name} (${g.processor}):`} ${members.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
