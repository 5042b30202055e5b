import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classpath, javaBin, peerHome } from './java.ts';
import { freePort, isListening } from './net.ts';
import { makePeerDir, PeerProcess } from './process.ts';

/** Which jars the agent gets: the core agent, plus Flume's Kafka source/sink/channel, or plus its HDFS sink. */
export type FlumeVariant = 'base' | 'kafka' | 'hdfs';

const classpathFile: Record<FlumeVariant, string> = {
  base: 'cp.txt',
  kafka: 'build/cp-kafka.txt',
  hdfs: 'build/cp-hdfs.txt',
};

export interface FlumeOptions {
  variant?: FlumeVariant;
  /** Working directory (relative paths in the properties resolve here); a fresh temp dir by default. */
  dir?: string;
  /** Port of the HTTP /metrics endpoint; a free one by default. */
  metricsPort?: number;
  /** Ports the agent's own sources open; start() also waits until each accepts connections. */
  waitForPorts?: number[];
  /** Root log level (WARN by default); INFO shows every component starting and stopping. */
  logLevel?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
  /**
   * Start the agent even though Flume dropped components of an invalid configuration (by default that
   * fails the start, since the agent would run without them and only say so in its log).
   */
  allowInvalidConfig?: boolean;
  /** JVM flags replacing the default modest heap (-Xmx512m). */
  jvm?: string[];
  startTimeoutMs?: number;
}

/** Flume's /metrics: component ("SOURCE.r1", "CHANNEL.c1", ...) to counter name to value, all as strings. */
export type FlumeMetrics = Record<string, Record<string, string>>;

export interface FlumePeer {
  readonly metricsPort: number;
  /** The agent's working directory, holding agent.properties and flume.log. */
  readonly dir: string;
  metrics(): Promise<FlumeMetrics>;
  /** Graceful stop (SIGTERM, then SIGKILL after 30 s): Flume stops its sources, then drains to its sinks. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Stops the agent if it runs, then starts it again with the same properties, ports and directory. */
  restart(): Promise<void>;
  logs(): string;
  logTail(lines?: number): string;
}

// What Flume logs (at WARN) when it drops a component, or the whole agent, for an error in the properties.
const invalidConfig =
  /No configuration found for this host|Agent configuration invalid|Could not configure|removed due to an error during configuration|has no components connected and has been removed|Configuration (error|empty) for: .*Removed/;

async function getMetrics(port: number): Promise<FlumeMetrics | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as FlumeMetrics) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs an Apache Flume 1.11 agent (org.apache.flume.node.Application) on the given properties text.
 * Ready once its HTTP monitoring answers, which Flume starts only after every channel, sink and source.
 */
export async function startFlume(properties: string, agentName: string, opts: FlumeOptions = {}): Promise<FlumePeer> {
  if (!properties.includes(`${agentName}.`)) {
    throw new Error(`startFlume: the properties configure no component of agent "${agentName}"`);
  }
  const home = peerHome('flume');
  const cp = await classpath('flume', classpathFile[opts.variant ?? 'base']);
  const dir = opts.dir ?? makePeerDir('flume');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const config = join(dir, 'agent.properties');
  writeFileSync(config, properties);
  const metricsPort = opts.metricsPort ?? (await freePort());

  const proc = new PeerProcess('flume', dir);
  const launch = (): Promise<true> =>
    proc.launch({
      command: javaBin(),
      args: [
        ...(opts.jvm ?? ['-Xmx512m']),
        `-Dlog4j.configurationFile=${join(home, 'log4j2.xml')}`,
        `-Dflume.peer.level=${opts.logLevel ?? 'WARN'}`,
        ...['-Dflume.monitoring.type=http', `-Dflume.monitoring.port=${metricsPort}`],
        // Components that default to ~/.flume (the file channel) or the temp dir then stay inside dir.
        ...[`-Duser.home=${dir}`, `-Djava.io.tmpdir=${join(dir, 'tmp')}`],
        ...['-cp', cp, 'org.apache.flume.node.Application'],
        ...['-n', agentName, '-f', config, '--no-reload-conf'],
      ],
      cwd: dir,
      timeoutMs: opts.startTimeoutMs ?? 90_000,
      ready: async (out) => {
        const dropped = opts.allowInvalidConfig ? null : invalidConfig.exec(out);
        if (dropped) throw new Error(`rejected its configuration ("${dropped[0]}")`);
        if (!(await getMetrics(metricsPort))) return undefined;
        for (const port of opts.waitForPorts ?? []) if (!(await isListening(port))) return undefined;
        return true;
      },
    });
  await launch();

  return {
    metricsPort,
    dir,
    async metrics() {
      const m = await getMetrics(metricsPort);
      if (!m) throw new Error(`Flume /metrics on port ${metricsPort} did not answer\n${proc.logTail(30)}`);
      return m;
    },
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    async restart() {
      await proc.stop();
      await launch();
    },
    logs: () => proc.logs(),
    logTail: (lines) => proc.logTail(lines),
  };
}
