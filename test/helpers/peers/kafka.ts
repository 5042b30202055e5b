import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classpath, javaBin, peerHome, runJava } from './java.ts';
import { freePort, isListening } from './net.ts';
import { makePeerDir, PeerProcess } from './process.ts';

export interface KafkaOptions {
  /** Extra broker settings, appended to test/peers/kafka/server.properties. */
  overrides?: Record<string, string>;
  /** JVM flags replacing the default modest heap (-Xms256m -Xmx512m -XX:+UseSerialGC). */
  jvm?: string[];
  startTimeoutMs?: number;
}

export interface KafkaPeer {
  /** 127.0.0.1:port of the PLAINTEXT listener. */
  readonly bootstrap: string;
  readonly port: number;
  readonly dir: string;
  createTopic(name: string, partitions?: number): Promise<void>;
  /** Sends one record per value with Kafka's own ConsoleProducer (acks=all). */
  produce(topic: string, values: string[], extraArgs?: string[]): Promise<void>;
  /**
   * Reads `count` records from the beginning of the topic with Kafka's own ConsoleConsumer, one line of
   * output per record (values only unless extraArgs add e.g. `--formatter-property print.key=true`).
   * Returns what arrived before timeoutMs, which may be fewer than count.
   */
  consume(topic: string, count: number, opts?: { timeoutMs?: number; extraArgs?: string[] }): Promise<string[]>;
  /** Graceful stop (SIGTERM, then SIGKILL after 30 s). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash; restart() brings it back on the same ports and data. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  logs(): string;
  logTail(lines?: number): string;
}

// KRaft needs a cluster id at format time; a fixed one keeps format independent of StorageTool's stdout.
const clusterId = 'MkU3OEVBNTcwNTJENDM2Qg';

/** Starts a single-node Kafka 4.1 broker (KRaft, broker and controller in one JVM) on free loopback ports. */
export async function startKafka(opts: KafkaOptions = {}): Promise<KafkaPeer> {
  const home = peerHome('kafka');
  const cp = await classpath('kafka');
  const dir = makePeerDir('kafka');
  const [port, controllerPort] = [await freePort(), await freePort()];
  const bootstrap = `127.0.0.1:${port}`;
  const settings: Record<string, string> = {
    listeners: `PLAINTEXT://${bootstrap},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${bootstrap}`,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'log.dirs': join(dir, 'data'),
    ...opts.overrides,
  };
  const config = join(dir, 'server.properties');
  const lines = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  // java.util.Properties keeps the last value of a repeated key, so appending overrides the template.
  writeFileSync(config, `${readFileSync(join(home, 'server.properties'), 'utf8')}\n# this run\n${lines.join('\n')}\n`);
  const log4j = `-Dlog4j2.configurationFile=${join(home, 'log4j2.properties')}`;
  await runJava(cp, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', config], { jvm: [log4j] });

  const proc = new PeerProcess('kafka', dir);
  const launch = (): Promise<boolean> =>
    proc.launch({
      command: javaBin(),
      args: [...(opts.jvm ?? ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC']), log4j, '-cp', cp, 'kafka.Kafka', config],
      cwd: dir,
      timeoutMs: opts.startTimeoutMs ?? 90_000,
      ready: async (out) => (/Kafka Server started/.test(out) && (await isListening(port)) ? true : undefined),
    });
  await launch();

  const tool = (mainClass: string, args: string[], extra: { input?: string; timeoutMs?: number } = {}) =>
    runJava(cp, mainClass, args, { jvm: [log4j], ...extra });

  return {
    bootstrap,
    port,
    dir,
    async createTopic(name, partitions = 1) {
      await tool('org.apache.kafka.tools.TopicCommand', [
        ...['--bootstrap-server', bootstrap, '--create', '--topic', name],
        ...['--partitions', String(partitions), '--replication-factor', '1'],
      ]);
    },
    async produce(topic, values, extraArgs = []) {
      const args = ['--bootstrap-server', bootstrap, '--topic', topic, '--producer-property', 'acks=all', ...extraArgs];
      await tool('org.apache.kafka.tools.ConsoleProducer', args, { input: values.map((v) => `${v}\n`).join('') });
    },
    async consume(topic, count, { timeoutMs = 15_000, extraArgs = [] } = {}) {
      const args = [
        ...['--bootstrap-server', bootstrap, '--topic', topic, '--from-beginning'],
        ...['--max-messages', String(count), '--timeout-ms', String(timeoutMs), ...extraArgs],
      ];
      const { stdout } = await tool('org.apache.kafka.tools.consumer.ConsoleConsumer', args, {
        timeoutMs: timeoutMs + 60_000,
      });
      return stdout.split('\n').slice(0, -1);
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
