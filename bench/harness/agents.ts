/**
 * Starts one agent of a scenario, either Sluice (its CLI as a child process, compiled `dist/cli.js` as
 * in production, or `src/cli.ts` through tsx) or Apache Flume 1.11 (test/helpers/peers.ts), on the
 * same properties text, and gives both the same face: pid, Flume-shaped /metrics, stop.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FlumeMetrics, type FlumeVariant, freePort, makePeerDir, startFlume } from '../../test/helpers/peers.ts';
import { isListening } from '../../test/helpers/peers/net.ts';
import { PeerProcess } from '../../test/helpers/peers/process.ts';
import { findPid } from './procfs.ts';

export type Impl = 'sluice' | 'flume';

/** How Sluice is run: compiled JavaScript (what users run) or the TypeScript sources through tsx. */
export type SluiceBuild = 'dist' | 'src';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface AgentSpec {
  /** Shown in reports and logs: `agent`, `collector 2`, `aggregator`. */
  role: string;
  /** The agent name in the properties (`-n`). */
  agent: string;
  properties: string;
  /** Ports the agent's own sources open; it is ready once each accepts connections. */
  listens?: number[];
  /** Flume's extra jars (Kafka or HDFS sink). */
  flumeVariant?: FlumeVariant;
}

export interface AgentOptions {
  build: SluiceBuild;
  /** When set, Sluice runs with --cpu-prof and writes its profile here on stop. */
  cpuProfDir?: string;
  /** More flags for Sluice's node (e.g. V8 heap settings to compare). */
  nodeFlags?: string[];
}

export interface RunningAgent {
  readonly role: string;
  readonly pid: number;
  metrics(): Promise<FlumeMetrics>;
  /** SIGTERM, as an operator stops an agent (a CPU profile is written only then), SIGKILL after 30 s. */
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

/** Flume's baseline in test-peers.md ran with a 1 GiB heap; the peers helper defaults to 512 MiB. */
const FLUME_JVM = ['-Xmx1g'];

export function startAgent(impl: Impl, spec: AgentSpec, opts: AgentOptions): Promise<RunningAgent> {
  return impl === 'sluice' ? startSluice(spec, opts) : startFlumeAgent(spec);
}

async function readMetrics(port: number): Promise<FlumeMetrics | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const body = (await res.json()) as FlumeMetrics;
  // Sluice's monitor answers `{}` until the agent has started its components.
  return Object.keys(body).length > 0 ? body : undefined;
}

async function startSluice(spec: AgentSpec, opts: AgentOptions): Promise<RunningAgent> {
  const dir = makePeerDir('bench-sluice');
  const config = join(dir, 'agent.properties');
  writeFileSync(config, spec.properties);
  const metricsPort = await freePort();
  const entry =
    opts.build === 'dist' ? [join(repoRoot, 'dist', 'cli.js')] : ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts')];
  const prof = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  const proc = new PeerProcess(`sluice-${spec.role.replace(/\W+/g, '-')}`, dir);
  await proc.launch({
    command: process.execPath,
    args: [
      ...prof,
      ...(opts.nodeFlags ?? []),
      ...entry,
      ...['-f', config, '-n', spec.agent, '--log-level', 'warn'],
      ...['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${metricsPort}`],
    ],
    // tsx is resolved from the working directory.
    cwd: repoRoot,
    timeoutMs: 120_000,
    ready: async () => {
      if (!(await readMetrics(metricsPort))) return undefined;
      for (const port of spec.listens ?? []) if (!(await isListening(port))) return undefined;
      return true;
    },
  });
  return {
    role: spec.role,
    pid: proc.pid!,
    metrics: () => metricsOrThrow(metricsPort, proc.logTail.bind(proc)),
    stop: () => proc.stop(),
    logTail: (lines) => proc.logTail(lines),
  };
}

async function startFlumeAgent(spec: AgentSpec): Promise<RunningAgent> {
  const peer = await startFlume(spec.properties, spec.agent, {
    ...(spec.flumeVariant ? { variant: spec.flumeVariant } : {}),
    ...(spec.listens ? { waitForPorts: spec.listens } : {}),
    jvm: FLUME_JVM,
  });
  // The helper writes the properties to <dir>/agent.properties and passes that path to the JVM alone.
  const pid = findPid(join(peer.dir, 'agent.properties'));
  if (pid === undefined) {
    await peer.stop();
    throw new Error(`The Flume JVM for "${spec.role}" was not found among the running processes.`);
  }
  return { role: spec.role, pid, metrics: () => peer.metrics(), stop: () => peer.stop(), logTail: (lines) => peer.logTail(lines) };
}

async function metricsOrThrow(port: number, logTail: (lines: number) => string): Promise<FlumeMetrics> {
  const m = await readMetrics(port);
  if (!m) throw new Error(`Sluice /metrics on port ${port} did not answer.\n${logTail(30)}`);
  return m;
}
