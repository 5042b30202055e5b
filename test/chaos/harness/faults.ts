/**
 * The faults the chaos suite injects into a running deployment, and how long the system takes to
 * recover from each. A fault ends when its cause is undone (the agent restarted, resumed or reloaded,
 * the peer back, the disk freed); it is recovered once the affected part makes progress again, judged
 * by counters on /metrics that only grow while it works (progress.ts).
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { HdfsPeer, KafkaPeer } from '../../helpers/peers.ts';
import type { Dice } from './dice.ts';
import type { Aggregator, Collector, Deployment, Node } from './deployment.ts';
import { hostileFrames, sendAndExpectClose, untrustedClients } from './hostile.ts';
import { deliveredBy, type Probe, progressOf, putsOf, readCounters, untilProgress } from './progress.ts';
import { faultLine } from './report.ts';

export const FAULT_KINDS = [
  'kill-collector',
  'kill-aggregator',
  'pause-aggregator',
  'kafka-down',
  'hdfs-down',
  'disk-floor',
  'reload',
  'bad-reload',
  'hostile-frames',
  'untrusted-clients',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** Seconds since the run began. */
  at: number;
  /** Seconds from injection until the cause was undone (for a kill: until the agent logged that it started again). */
  outage: number;
  /** Seconds from then until the affected part made progress again. */
  recovery: number;
  note: string;
}

export class Chaos {
  readonly faults: FaultRecord[] = [];
  private readonly t0 = Date.now();

  constructor(
    private readonly d: Deployment,
    private readonly kafka: KafkaPeer,
    private readonly hdfs: HdfsPeer,
    readonly dice: Dice,
  ) {}

  /**
   * Injects the faults one after another, each after a random pause of `gapMs`, printing each once
   * recovered; stops early once `deadline` (epoch ms) has passed.
   */
  async campaign(kinds: readonly FaultKind[], gapMs: readonly [number, number], print: (line: string) => void, deadline = Infinity): Promise<void> {
    for (const kind of kinds) {
      if (Date.now() > deadline) return;
      await delay(this.dice.between(gapMs[0], gapMs[1]));
      print(faultLine(this.faults.length + 1, await this.inject(kind)));
    }
  }

  /** Injects a fault into `target` (a node of the right tier), or into one chosen at random. */
  async inject(kind: FaultKind, target?: Node): Promise<FaultRecord> {
    const at = (Date.now() - this.t0) / 1000;
    const r = await this.run(kind, target);
    const record = { kind, at, ...r, outage: r.outage / 1000, recovery: r.recovery / 1000 };
    this.faults.push(record);
    return record;
  }

  private async run(kind: FaultKind, target?: Node): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const { d } = this;
    const aggregator = () => (target as Aggregator | undefined) ?? this.dice.pick(d.aggregators);
    switch (kind) {
      case 'kill-collector':
        return this.kill(target ?? this.dice.pick(d.collectors));
      case 'kill-aggregator':
        return this.kill(aggregator());
      case 'pause-aggregator': {
        const a = aggregator();
        const begin = Date.now();
        a.agent.pause();
        await delay(this.dice.between(5000, 12_000));
        a.agent.resume();
        return this.recover(a.name, begin, progressOf(a), 'SIGSTOP, then SIGCONT');
      }
      case 'kafka-down':
        return this.peerDown('kafka', this.kafka, 'kafka');
      case 'hdfs-down':
        return this.peerDown('hdfs', this.hdfs, 'hdfs');
      case 'disk-floor':
        return this.diskFloor(d.collectors.at(-1)!);
      case 'reload':
        return this.reload(target ?? this.dice.pick(d.nodes));
      case 'bad-reload':
        return this.badReload(target ?? this.dice.pick(d.nodes));
      case 'hostile-frames':
        return this.hostileFrames(aggregator());
      case 'untrusted-clients': {
        const a = aggregator();
        const begin = Date.now();
        const from = a.agent.mark();
        const note = await untrustedClients(a.port, d.certs.localhostCert);
        // The untrusting client leaves during the TLS handshake: only the plain one is the server's to refuse.
        assert.match(a.agent.logSince(from), /"msg":"Closing Avro RPC connection: Connection error: [^"]+"/, `${a.name} did not log why it closed the plain-TCP connection`);
        return this.recover(a.name, begin, progressOf(a), note);
      }
    }
  }

  private async kill(node: Node): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const begin = Date.now();
    await node.agent.kill();
    await delay(this.dice.between(1000, 8000));
    return this.recover(node.name, begin, progressOf(node), 'SIGKILL, then restart', () => node.agent.start());
  }

  private async peerDown(target: string, peer: KafkaPeer | HdfsPeer, sink: 'kafka' | 'hdfs'): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const begin = Date.now();
    await peer.stop();
    await delay(this.dice.between(8000, 15_000));
    await peer.restart();
    return this.recover(target, begin, deliveredBy(this.d.aggregators, sink), 'stopped, then restarted on the same data');
  }

  /** Fills the last collector's disk past its channel's minimumRequiredSpace, then frees it. */
  private async diskFloor(c: Collector): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const begin = Date.now();
    const from = c.agent.mark();
    this.d.disk.fill(c.floor!);
    try {
      await c.agent.waitForLog('the channel refuses puts', /refuses puts: \d+ bytes are free and minimumRequiredSpace is/, from, 60_000);
      await delay(this.dice.between(3000, 8000));
    } finally {
      this.d.disk.empty();
    }
    const where = this.d.disk.tmpfs ? 'its own tmpfs' : 'the shared disk';
    return this.recover(c.name, begin, putsOf(c), `${where} filled: puts refused below minimumRequiredSpace (logged), accepted once freed`);
  }

  private async reload(node: Node): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const p = node.props;
    const flip = (key: string, a: string, b: string) => [key, p.get(key) === a ? b : a] as const;
    const changes = Object.fromEntries(
      node.name.startsWith('collector')
        ? [flip('collector.sources.r.batchSize', '100', '50'), flip('collector.sinks.k1.batch-size', '100', '50')]
        : [flip('aggregator.sinks.kafka.flumeBatchSize', '500', '200'), flip('aggregator.sinks.hdfs.hdfs.batchSize', '500', '200')],
    );
    const begin = Date.now();
    const from = node.agent.mark();
    this.d.edit(node, changes);
    node.agent.reload();
    await node.agent.waitForLog('the new configuration is applied', /"msg":"Configuration reloaded \(SIGHUP\)/, from, 60_000);
    const note = `SIGHUP after editing ${Object.entries(changes).map(([k, v]) => `${k.split('.').slice(1).join('.')}=${v}`).join(', ')}`;
    return this.recover(node.name, begin, progressOf(node), note);
  }

  /** A file with errors: the reload is refused, and the running components stay exactly as they were. */
  private async badReload(node: Node): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const before = Object.keys((await node.agent.metrics()) ?? {}).sort();
    const [agent, channel] = node.name.startsWith('collector') ? ['collector', 'c'] : ['aggregator', 'ck'];
    const lines = [...node.props].map(([k, v]) => `${k} = ${v}`);
    lines.push(`${agent}.channels.${channel}.capacity = lots`, `${agent}.sinks.k9.type = no_such_sink`, `${agent}.sinks = ${node.props.get(`${agent}.sinks`)} k9`);
    const begin = Date.now();
    const from = node.agent.mark();
    this.d.replaceConf(node, `${lines.join('\n')}\n`);
    try {
      node.agent.reload();
      await node.agent.waitForLog('the reload is refused', /"msg":"Reload refused \(SIGHUP\): the configuration has \d+ errors?/, from, 60_000);
    } finally {
      this.d.restoreConf(node);
    }
    const after = Object.keys((await node.agent.metrics()) ?? {}).sort();
    assert.deepEqual(after, before, `${node.name}: a refused reload changed the running components`);
    return this.recover(node.name, begin, progressOf(node), 'file with errors: reload refused, topology unchanged');
  }

  private async hostileFrames(a: Aggregator): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    const frames = hostileFrames(Number(a.props.get('aggregator.sources.r.max-pack-bytes')));
    const begin = Date.now();
    const from = a.agent.mark();
    for (const [what, bytes] of frames) {
      await sendAndExpectClose(a.port, this.d.certs.localhostCert, bytes).catch((err: Error) => {
        throw new Error(`${a.name}, frame with ${what}: ${err.message}`);
      });
    }
    await delay(500);
    const logged = a.agent.logSince(from).match(/"msg":"Closing Avro RPC connection: Pack 1 [^"]*"/g) ?? [];
    assert.equal(logged.length, frames.length, `${a.name} logged ${logged.length} of ${frames.length} rejected frames:\n${logged.join('\n')}`);
    return this.recover(a.name, begin, progressOf(a), `${frames.length} frames refused, each connection closed and logged`);
  }

  /**
   * Undoes the fault (`restore`, if given), then waits until every counter of `probe` exceeds what it
   * read right after (zero for a restarted agent): the time taken is the recovery.
   */
  private async recover(target: string, begin: number, probe: Probe, note: string, restore?: () => Promise<void>): Promise<Omit<FaultRecord, 'kind' | 'at'>> {
    if (restore) await restore();
    const undone = Date.now();
    await untilProgress(target, probe, restore ? undefined : await readCounters(probe, target), note);
    return { target, outage: undone - begin, recovery: Date.now() - undone, note };
  }
}
