// Sluice's Avro RPC against a real Apache Flume 1.11 agent, both ways, in every transport mode:
// (a) our client -> Flume avro source -> memory -> file_roll, read back from the files;
// (b) Flume seq source -> memory -> avro sink -> our server;
// and a Sluice agent as the middle tier: Flume seq -> avro sink -> Sluice avro source -> memory ->
// Sluice avro sink -> Flume avro source -> file_roll.
// One Flume agent runs all the flows, so the JVM starts once.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../src/agent/agent.ts';
import { AvroRpcClient, type AvroRpcClientOptions } from '../../src/avro-rpc/client.ts';
import { AvroRpcServer, type AvroRpcServerOptions } from '../../src/avro-rpc/server.ts';
import { serverTlsOptions } from '../../src/avro-rpc/tls-options.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Event } from '../../src/core/event.ts';
import { makeCerts, type TestCerts } from '../avro-rpc/certs.ts';
import { type FlumePeer, freePort, makePeerDir, showPeerLogsOnFailure, startFlume } from '../helpers/peers.ts';

showPeerLogsOnFailure();

interface Mode {
  name: string;
  deflate: boolean;
  tls: boolean;
}
const MODES: Mode[] = [
  { name: 'plain', deflate: false, tls: false },
  { name: 'deflate', deflate: true, tls: false },
  { name: 'tls', deflate: false, tls: true },
  { name: 'tlsdeflate', deflate: true, tls: true },
];
const TO_FLUME = 3000;
const FROM_FLUME = 2000;
const RELAYED = 5000;

/** Flume properties of the relay flow's two ends: seq -> avro sink to Sluice, and avro source from Sluice -> file_roll. */
function relayProperties(dir: string, toSluice: number, fromSluice: number): string[] {
  mkdirSync(join(dir, 'relay'));
  return [
    'a1.sources.relay_seq.type = seq',
    `a1.sources.relay_seq.totalEvents = ${RELAYED}`,
    'a1.sources.relay_seq.batchSize = 500',
    'a1.sources.relay_seq.channels = relay_out',
    'a1.channels.relay_out.type = memory',
    'a1.channels.relay_out.capacity = 10000',
    'a1.channels.relay_out.transactionCapacity = 1000',
    'a1.sinks.relay_avro.type = avro',
    'a1.sinks.relay_avro.channel = relay_out',
    'a1.sinks.relay_avro.hostname = 127.0.0.1',
    `a1.sinks.relay_avro.port = ${toSluice}`,
    'a1.sinks.relay_avro.batch-size = 500',
    'a1.sources.relay_in.type = avro',
    'a1.sources.relay_in.bind = 127.0.0.1',
    `a1.sources.relay_in.port = ${fromSluice}`,
    'a1.sources.relay_in.channels = relay_back',
    'a1.channels.relay_back.type = memory',
    'a1.channels.relay_back.capacity = 10000',
    'a1.channels.relay_back.transactionCapacity = 1000',
    'a1.sinks.relay_roll.type = file_roll',
    'a1.sinks.relay_roll.channel = relay_back',
    `a1.sinks.relay_roll.sink.directory = ${join(dir, 'relay')}`,
    'a1.sinks.relay_roll.sink.rollInterval = 0',
  ];
}

/** The Sluice middle tier, configured as a Flume agent would be. */
function sluiceRelay(toSluice: number, fromSluice: number): string {
  return [
    's1.sources = r1',
    's1.channels = c1',
    's1.sinks = k1',
    's1.sources.r1.type = avro',
    's1.sources.r1.bind = 127.0.0.1',
    `s1.sources.r1.port = ${toSluice}`,
    's1.sources.r1.channels = c1',
    's1.channels.c1.type = memory',
    's1.channels.c1.capacity = 10000',
    's1.channels.c1.transactionCapacity = 1000',
    's1.sinks.k1.type = avro',
    's1.sinks.k1.channel = c1',
    's1.sinks.k1.hostname = 127.0.0.1',
    `s1.sinks.k1.port = ${fromSluice}`,
    's1.sinks.k1.batch-size = 1000',
    '',
  ].join('\n');
}

/** Flume properties of one agent: per mode an avro source feeding file_roll, and a seq source feeding an avro sink. */
function agentProperties(dir: string, certs: TestCerts, sourcePorts: number[], serverPorts: number[], relay: [number, number]): string {
  const sources: string[] = [];
  const channels: string[] = [];
  const sinks: string[] = [];
  const lines: string[] = [];
  const set = (key: string, value: string | number) => lines.push(`a1.${key} = ${value}`);
  MODES.forEach((m, i) => {
    const [src, seq, cin, cout, roll, avro] = ['in', 'seq', 'cin', 'cout', 'roll', 'avro'].map((p) => `${p}_${m.name}`);
    sources.push(src!, seq!);
    channels.push(cin!, cout!);
    sinks.push(roll!, avro!);
    for (const c of [cin, cout]) {
      set(`channels.${c}.type`, 'memory');
      set(`channels.${c}.capacity`, 100000);
      set(`channels.${c}.transactionCapacity`, 1000);
    }
    set(`sources.${src}.type`, 'avro');
    set(`sources.${src}.bind`, '127.0.0.1');
    set(`sources.${src}.port`, sourcePorts[i]!);
    set(`sources.${src}.channels`, cin!);
    set(`sinks.${roll}.type`, 'file_roll');
    set(`sinks.${roll}.channel`, cin!);
    set(`sinks.${roll}.sink.directory`, join(dir, m.name));
    set(`sinks.${roll}.sink.rollInterval`, 0);
    set(`sinks.${roll}.sink.batchSize`, 1000);
    set(`sinks.${roll}.sink.serializer`, 'header_and_text');
    mkdirSync(join(dir, m.name));

    set(`sources.${seq}.type`, 'seq');
    set(`sources.${seq}.totalEvents`, FROM_FLUME);
    set(`sources.${seq}.batchSize`, 100);
    set(`sources.${seq}.channels`, cout!);
    set(`sinks.${avro}.type`, 'avro');
    set(`sinks.${avro}.channel`, cout!);
    set(`sinks.${avro}.hostname`, '127.0.0.1');
    set(`sinks.${avro}.port`, serverPorts[i]!);
    set(`sinks.${avro}.batch-size`, 100);
    if (m.deflate) {
      set(`sources.${src}.compression-type`, 'deflate');
      set(`sinks.${avro}.compression-type`, 'deflate');
      set(`sinks.${avro}.compression-level`, 1);
    }
    if (m.tls) {
      set(`sources.${src}.ssl`, 'true');
      set(`sources.${src}.keystore`, certs.localhostP12);
      set(`sources.${src}.keystore-password`, 'secret');
      set(`sources.${src}.keystore-type`, 'PKCS12');
      set(`sinks.${avro}.ssl`, 'true');
      set(`sinks.${avro}.trust-all-certs`, 'true');
    }
  });
  sources.push('relay_seq', 'relay_in');
  channels.push('relay_out', 'relay_back');
  sinks.push('relay_avro', 'relay_roll');
  lines.push(...relayProperties(dir, ...relay));
  return [`a1.sources = ${sources.join(' ')}`, `a1.channels = ${channels.join(' ')}`, `a1.sinks = ${sinks.join(' ')}`, ...lines, ''].join(
    '\n',
  );
}

async function counter(flume: FlumePeer, channel: string): Promise<number> {
  return Number((await flume.metrics())[`CHANNEL.${channel}`]?.['EventTakeSuccessCount'] ?? 0);
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(100);
  }
}

describe('Avro RPC against Apache Flume 1.11', () => {
  let certs: TestCerts;
  let flume: FlumePeer;
  let dir: string;
  let relay: Agent;
  const sourcePorts: number[] = [];
  const servers: AvroRpcServer[] = [];
  const received = new Map<string, Event[]>();

  before(async () => {
    certs = makeCerts();
    dir = makePeerDir('avro-rpc');
    const serverPorts: number[] = [];
    for (const m of MODES) {
      sourcePorts.push(await freePort());
      const events: Event[] = [];
      received.set(m.name, events);
      const opts: AvroRpcServerOptions = { host: '127.0.0.1', port: 0, compression: m.deflate ? 'deflate' : 'none' };
      if (m.tls) opts.tls = serverTlsOptions({ keystore: certs.localhostPem });
      const server = new AvroRpcServer(opts, async (batch) => {
        events.push(...batch);
        return 'OK';
      });
      servers.push(server);
      serverPorts.push((await server.listen()).port);
    }
    const relayPorts: [number, number] = [await freePort(), await freePort()];
    relay = new Agent(loadConfig({ files: [], agent: 's1', text: sluiceRelay(...relayPorts) }), { logger: createLogger('warn') });
    await relay.start();
    flume = await startFlume(agentProperties(dir, certs, sourcePorts, serverPorts, relayPorts), 'a1', {
      waitForPorts: [...sourcePorts, relayPorts[1]],
    });
  }, { timeout: 10 * 60_000 });

  after(async () => {
    await relay?.stop(0);
    await flume?.kill();
    await Promise.all(servers.map((s) => s.close(1000)));
    certs?.remove();
  });

  MODES.forEach((m, i) => {
    test(`${m.name}: our client delivers pipelined appendBatch and append calls to Flume's avro source`, async () => {
      const opts: AvroRpcClientOptions = {
        host: '127.0.0.1',
        port: sourcePorts[i]!,
        compression: m.deflate ? 'deflate' : 'none',
        maxInFlight: 4,
        connectTimeoutMs: 10_000,
      };
      // Flume's certificate names localhost; its sink would not check the name either.
      if (m.tls) opts.tls = { truststore: certs.localhostCert };
      const client = await AvroRpcClient.connect(opts);
      const event = (n: number): Event => ({
        headers: n % 7 === 0 ? {} : { n: String(n) },
        body: Buffer.from(`${m.name}-${n} ünïcødé ✓`),
      });
      const calls: Promise<string>[] = [];
      for (let n = 0; n < TO_FLUME - 10; n += 500) {
        const batch = Array.from({ length: Math.min(500, TO_FLUME - 10 - n) }, (_, k) => event(n + k));
        calls.push(client.appendBatch(batch));
      }
      for (let n = TO_FLUME - 10; n < TO_FLUME; n++) calls.push(client.append(event(n)));
      assert.deepEqual(new Set(await Promise.all(calls)), new Set(['OK']));
      await client.close();

      await until('file_roll to take every event', async () => (await counter(flume, `cin_${m.name}`)) >= TO_FLUME);
      const out = join(dir, m.name);
      const read = () =>
        readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
      await until('the file to hold every event', () => read().length >= TO_FLUME, 5000);
      const expected = Array.from({ length: TO_FLUME }, (_, n) => {
        const e = event(n);
        return `{${Object.entries(e.headers).map(([k, v]) => `${k}=${v}`).join(', ')}} ${e.body.toString()}`;
      });
      assert.deepEqual(read().sort(), expected.sort());
    });

    test(`${m.name}: Flume's avro sink delivers to our server`, async () => {
      const events = received.get(m.name)!;
      await until(`${FROM_FLUME} events from Flume`, () => events.length >= FROM_FLUME);
      const bodies = events.map((e) => e.body.toString());
      assert.equal(bodies.length, FROM_FLUME);
      assert.deepEqual(
        bodies.map(Number).sort((a, b) => a - b),
        Array.from({ length: FROM_FLUME }, (_, n) => n),
      );
      assert.equal(await counter(flume, `cout_${m.name}`), FROM_FLUME);
    });
  });

  test('a Sluice agent relays between two Flume tiers (avro source -> memory -> avro sink)', async () => {
    await until('Flume to write every relayed event', async () => (await counter(flume, 'relay_back')) >= RELAYED, 60_000);
    const out = join(dir, 'relay');
    const read = () => readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    await until('the file to hold every relayed event', () => read().length >= RELAYED, 5000);
    assert.deepEqual(
      read().map(Number).sort((a, b) => a - b),
      Array.from({ length: RELAYED }, (_, n) => n),
    );
    const metrics = relay.metrics.toFlumeJson();
    assert.equal(metrics['SOURCE.r1']?.['EventAcceptedCount'], String(RELAYED));
    assert.equal(metrics['SINK.k1']?.['EventDrainSuccessCount'], String(RELAYED));
  });
});
