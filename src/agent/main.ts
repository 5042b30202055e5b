/**
 * What the `agent` command does: load and check the configuration, start the agent and the monitoring
 * server, reload the configuration when its file changes or on SIGHUP, and stop cleanly on
 * SIGTERM/SIGINT (sinks drain for a bounded time; a second signal exits at once).
 */
import { loadConfigAsync } from '../config/load.ts';
import type { AgentPlan } from '../config/plan.ts';
import { createLogger, type LogFormat, type Logger } from '../core/logger.ts';
import { ConfigErrors } from '../errors.ts';
import { Agent } from './agent.ts';
import { type GraphFormat, renderGraph } from './graph.ts';
import { startMonitoring } from './http.ts';
import { ConfigReloader } from './reload.ts';

export interface RunOptions {
  files: string[];
  agent: string;
  logLevel: string;
  logFormat: LogFormat;
  /** -Dkey=value flags, as given to flume-ng (flume.monitoring.type/port among them). */
  sys: Record<string, string>;
  metricsPort?: number;
  metricsHost?: string;
  drainMs: number;
  /** Watch the configuration files and apply changes (flume-ng's --no-reload-conf turns it off). */
  reload: boolean;
  /** Serve /tap (samples of event contents) on the monitoring server. */
  admin: boolean;
}

export async function load(o: RunOptions, logger: Logger): Promise<AgentPlan | undefined> {
  try {
    return await loadConfigAsync({ files: o.files, agent: o.agent, sys: o.sys });
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
  const logger = createLogger(o.logLevel, 2, o.logFormat);
  const plan = await load(o, logger);
  if (!plan) return 1;
  const agent = new Agent(plan, { logger, drainMs: o.drainMs });
  const port = monitoringPort(o);
  // Loopback unless told otherwise (Flume binds every interface): /metrics tells anyone who can reach it
  // the topology and the load, and /tap (with --admin) event contents.
  const host = o.metricsHost ?? '127.0.0.1';
  const monitor = port === undefined ? undefined : await startMonitoring(port, host, () => (agent.running ? agent.metrics : undefined), o.admin ? agent.taps : undefined);
  if (monitor) logger.info({ host, port: monitor.port, tap: o.admin }, `Monitoring on /metrics, /prometheus and /health${o.admin ? ', and /tap' : ''}.`);
  else if (o.admin) logger.warn('--admin has no effect without a monitoring server (--metrics-port or -Dflume.monitoring.type=http).');
  // Signals are handled from before the start, so a SIGTERM that arrives while the agent is still
  // starting (or its file watcher is) stops it cleanly instead of killing the process.
  let reloader: ConfigReloader | undefined;
  let stopping = false;
  let starting: Promise<void> = Promise.resolve();
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'Second signal: exiting at once.');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal, drainMs: o.drainMs }, 'Stopping: sources first, then sinks drain.');
      void starting
        .catch(() => undefined)
        .then(() => reloader?.close())
        .then(() => agent.stop(o.drainMs))
        .then(() => monitor?.close())
        .then(() => resolve(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  starting = (async () => {
    await agent.start();
    if (stopping) return;
    reloader = new ConfigReloader(agent, logger, { load: () => loadConfigAsync({ files: o.files, agent: o.agent, sys: o.sys }), files: o.files, watchFiles: o.reload });
    await reloader.start();
    logger.info({ files: o.files, watch: o.reload }, o.reload ? 'Reloading the configuration when its file changes or on SIGHUP.' : 'Reloading the configuration on SIGHUP only.');
  })();
  await starting;
  return stopped;
}

export async function validate(o: RunOptions): Promise<number> {
  const logger = createLogger(o.logLevel, 2, o.logFormat);
  const plan = await load(o, logger);
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

export async function graph(o: RunOptions, format: GraphFormat): Promise<number> {
  const plan = await load(o, createLogger(o.logLevel, 2, o.logFormat));
  if (!plan) return 1;
  process.stdout.write(renderGraph(plan, format));
  return 0;
}
