/**
 * The two-tier deployment the chaos suite runs on this machine, each agent a CLI child process:
 * collectors (spooldir → file channel → avro sinks in a load_balance or failover group, one sink per
 * aggregator) and aggregators (TLS avro source → replicating selector → two file channels → Kafka sink
 * and HDFS sink). Every Avro hop is TLS with the certificate checked against a test CA. The properties
 * files stay editable so a fault can change one and SIGHUP the agent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCerts, type TestCerts } from '../../avro-rpc/certs.ts';
import { freePort, type HdfsPeer, type KafkaPeer } from '../../helpers/peers.ts';
import { AgentProcess } from './agent-process.ts';
import { ScratchDisk } from './scratch-disk.ts';

export type GroupProcessor = 'load_balance' | 'failover';

export interface DeploymentOptions {
  dir: string;
  kafka: KafkaPeer;
  hdfs: HdfsPeer;
  topic: string;
  /** HDFS directory; aggregator n writes below `<hdfsRoot>/a<n>`. */
  hdfsRoot: string;
  collectors: number;
  aggregators: number;
  /** The processor of each collector's sink group, cycled over the collectors. */
  processors: readonly GroupProcessor[];
  /** Events a collector's file channel holds before the spool directory has to wait. */
  collectorCapacity: number;
  /** Events each of an aggregator's file channels holds before its avro source answers FAILED. */
  aggregatorCapacity: number;
}

export interface Node {
  readonly name: string;
  readonly agent: AgentProcess;
  readonly props: Map<string, string>;
}

export interface Collector extends Node {
  readonly spool: string;
  /** Same file system as the spool directory, outside it: files are written here, then renamed in. */
  readonly staging: string;
  /** The `minimumRequiredSpace` of its file channel; only the last collector has one near its free space. */
  readonly floor?: number;
}

export interface Aggregator extends Node {
  readonly port: number;
}

/** Agent names inside the properties files. */
const COLLECTOR = 'collector';
const AGGREGATOR = 'aggregator';

export class Deployment {
  readonly collectors: Collector[] = [];
  readonly aggregators: Aggregator[] = [];
  readonly certs: TestCerts;
  /** Where the last collector's file channel lives: a fault fills it past the channel's minimumRequiredSpace. */
  readonly disk: ScratchDisk;

  private constructor(readonly o: DeploymentOptions) {
    this.certs = makeCerts();
    this.disk = ScratchDisk.create();
  }

  static async create(o: DeploymentOptions): Promise<Deployment> {
    const d = new Deployment(o);
    for (let n = 1; n <= o.aggregators; n++) d.aggregators.push(await d.aggregator(n));
    for (let n = 1; n <= o.collectors; n++) d.collectors.push(await d.collector(n, o.processors[(n - 1) % o.processors.length]!));
    return d;
  }

  get nodes(): Node[] {
    return [...this.collectors, ...this.aggregators];
  }

  /** Aggregators first, so that the collectors' first connections find them. */
  async start(): Promise<void> {
    await Promise.all(this.aggregators.map((a) => a.agent.start()));
    await Promise.all(this.collectors.map((c) => c.agent.start()));
  }

  /** Collectors first, so nothing is sent to a stopped aggregator. */
  async stop(): Promise<void> {
    await Promise.all(this.collectors.map((c) => c.agent.stop()));
    await Promise.all(this.aggregators.map((a) => a.agent.stop()));
  }

  /** Rewrites a node's properties file with `changes` applied (the agent sees it on its next SIGHUP). */
  edit(node: Node, changes: Record<string, string>): void {
    for (const [k, v] of Object.entries(changes)) node.props.set(k, v);
    write(node.agent.conf, node.props);
  }

  /** Writes a file other than the node's properties (e.g. a broken one) in its place. */
  replaceConf(node: Node, text: string): void {
    writeFileSync(node.agent.conf, text);
  }

  /** Puts the node's own properties back in its file. */
  restoreConf(node: Node): void {
    write(node.agent.conf, node.props);
  }

  remove(): void {
    this.certs.remove();
    this.disk.remove();
  }

  private async aggregator(n: number): Promise<Aggregator> {
    const { o } = this;
    const name = `aggregator${n}`;
    const home = join(o.dir, name);
    const port = await freePort();
    const a = `${AGGREGATOR}.`;
    const props = new Map<string, string>([
      [`${a}sources`, 'r'],
      [`${a}channels`, 'ck ch'],
      [`${a}sinks`, 'kafka hdfs'],
      [`${a}sources.r.type`, 'avro'],
      [`${a}sources.r.bind`, '127.0.0.1'],
      [`${a}sources.r.port`, String(port)],
      [`${a}sources.r.ssl`, 'true'],
      [`${a}sources.r.keystore`, this.certs.localhostPem],
      // Far above a batch (100 events of ~100 bytes), so an oversized frame is one an attacker made.
      [`${a}sources.r.max-pack-bytes`, String(1024 * 1024)],
      [`${a}sources.r.channels`, 'ck ch'],
      [`${a}sources.r.selector.type`, 'replicating'],
      ...fileChannel(a, 'ck', join(home, 'ck'), o.aggregatorCapacity),
      ...fileChannel(a, 'ch', join(home, 'ch'), o.aggregatorCapacity),
      [`${a}sinks.kafka.type`, 'org.apache.flume.sink.kafka.KafkaSink'],
      [`${a}sinks.kafka.channel`, 'ck'],
      [`${a}sinks.kafka.kafka.bootstrap.servers`, o.kafka.bootstrap],
      [`${a}sinks.kafka.kafka.topic`, o.topic],
      [`${a}sinks.kafka.flumeBatchSize`, '500'],
      [`${a}sinks.kafka.kafka.producer.acks`, 'all'],
      [`${a}sinks.kafka.kafka.producer.request.timeout.ms`, '10000'],
      [`${a}sinks.hdfs.type`, 'hdfs'],
      [`${a}sinks.hdfs.channel`, 'ch'],
      [`${a}sinks.hdfs.hdfs.path`, `${o.hdfsRoot}/a${n}`],
      [`${a}sinks.hdfs.hdfs.webhdfs.url`, o.hdfs.httpUrl],
      [`${a}sinks.hdfs.hdfs.fileType`, 'DataStream'],
      [`${a}sinks.hdfs.hdfs.batchSize`, '500'],
      [`${a}sinks.hdfs.hdfs.rollInterval`, '30'],
      [`${a}sinks.hdfs.hdfs.rollSize`, '0'],
      [`${a}sinks.hdfs.hdfs.rollCount`, '0'],
      [`${a}sinks.hdfs.hdfs.callTimeout`, '10000'],
      [`${a}sinks.hdfs.hdfs.retryInterval`, '2'],
    ]);
    return { name, props, port, agent: await this.process(name, AGGREGATOR, props) };
  }

  private async collector(n: number, processor: GroupProcessor): Promise<Collector> {
    const { o } = this;
    const name = `collector${n}`;
    const home = join(o.dir, name);
    const spool = join(home, 'spool');
    const staging = join(home, 'staging');
    mkdirSync(spool, { recursive: true });
    mkdirSync(staging, { recursive: true });
    const c = `${COLLECTOR}.`;
    const sinks = this.aggregators.map((_, i) => `k${i + 1}`);
    // Free space is shared by everything on a file system, so one collector, alone on the scratch disk, gets the floor.
    const last = n === o.collectors;
    const floor = last ? this.disk.floor() : undefined;
    const props = new Map<string, string>([
      [`${c}sources`, 'r'],
      [`${c}channels`, 'c'],
      [`${c}sinks`, sinks.join(' ')],
      [`${c}sinkgroups`, 'g'],
      [`${c}sources.r.type`, 'spooldir'],
      [`${c}sources.r.spoolDir`, spool],
      [`${c}sources.r.batchSize`, '100'],
      [`${c}sources.r.pollDelay`, '200'],
      [`${c}sources.r.maxBackoff`, '1000'],
      [`${c}sources.r.channels`, 'c'],
      ...fileChannel(c, 'c', last ? this.disk.dir : join(home, 'channel'), o.collectorCapacity),
      // Small data files are deleted once taken, so the scratch disk never fills by itself.
      [`${c}channels.c.maxFileSize`, String(16 * 1024 * 1024)],
      [`${c}sinkgroups.g.sinks`, sinks.join(' ')],
      [`${c}sinkgroups.g.processor.type`, processor],
    ]);
    if (floor !== undefined) props.set(`${c}channels.c.minimumRequiredSpace`, String(floor));
    if (processor === 'load_balance') {
      props.set(`${c}sinkgroups.g.processor.backoff`, 'true');
      props.set(`${c}sinkgroups.g.processor.selector.maxTimeOut`, '5000');
    } else {
      for (const [i, s] of sinks.entries()) props.set(`${c}sinkgroups.g.processor.priority.${s}`, String(10 - i));
      props.set(`${c}sinkgroups.g.processor.maxpenalty`, '5000');
    }
    this.aggregators.forEach((agg, i) => {
      const k = `${c}sinks.k${i + 1}.`;
      props.set(`${k}type`, 'avro');
      props.set(`${k}channel`, 'c');
      props.set(`${k}hostname`, '127.0.0.1');
      props.set(`${k}port`, String(agg.port));
      props.set(`${k}batch-size`, '100');
      props.set(`${k}ssl`, 'true');
      props.set(`${k}truststore`, this.certs.localhostCert);
      props.set(`${k}connect-timeout`, '5000');
      props.set(`${k}request-timeout`, '5000');
    });
    const agent = await this.process(name, COLLECTOR, props);
    return { name, props, spool, staging, agent, ...(floor === undefined ? {} : { floor }) };
  }

  private async process(name: string, agentName: string, props: Map<string, string>): Promise<AgentProcess> {
    const conf = join(this.o.dir, `${name}.properties`);
    write(conf, props);
    return new AgentProcess(name, conf, agentName, await freePort(), join(this.o.dir, `${name}.log`));
  }
}

function fileChannel(prefix: string, name: string, dir: string, capacity: number): [string, string][] {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const c = `${prefix}channels.${name}.`;
  return [
    [`${c}type`, 'file'],
    [`${c}checkpointDir`, join(dir, 'checkpoint')],
    [`${c}dataDirs`, join(dir, 'data')],
    [`${c}capacity`, String(capacity)],
    [`${c}transactionCapacity`, '1000'],
    [`${c}checkpointInterval`, '5000'],
  ];
}

function write(file: string, props: Map<string, string>): void {
  writeFileSync(file, `${[...props].map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
}
