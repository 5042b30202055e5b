// Hostile input against a running collector → aggregator deployment (TLS on the Avro hop, Kafka and HDFS
// behind the aggregator), while events flow: frames that break Avro's framing or exceed max-pack-bytes,
// clients that are not allowed in (plain TCP, TLS that does not trust the certificate), reloads of files
// with errors on both tiers, and an agent started on a file with errors. Each must be refused and logged
// without disturbing the rest: at the end every event sent meanwhile is in Kafka and in HDFS.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, makePeerDir, showPeerLogsOnFailure, spawnChild } from '../helpers/peers.ts';
import { Dice } from './harness/dice.ts';
import { Chaos } from './harness/faults.ts';
import { faultTable, verdictLines } from './harness/report.ts';
import { drainAndVerify, type Stage, setUp, tearDown } from './harness/stage.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

showPeerLogsOnFailure();

describe('hostile input against a running deployment', { timeout: 15 * 60_000 }, () => {
  let stage: Stage | undefined;
  let chaos: Chaos;
  const feeding = new AbortController();
  let fed: Promise<void> = Promise.resolve();
  before(async () => {
    stage = await setUp({ name: 'chaos-hostile', collectors: 1, aggregators: 1, processors: ['failover'] });
    chaos = new Chaos(stage.deployment, stage.kafka, stage.hdfs, new Dice(1));
    fed = stage.feeder.feed(50, feeding.signal);
  });
  after(async () => {
    feeding.abort();
    await fed;
    await tearDown(stage);
  });

  test('malformed and oversized Avro frames close only their own connection, each with a log line, and the aggregator keeps serving', async () => {
    const f = await chaos.inject('hostile-frames');
    assert.ok(f.recovery < 120, `the aggregator took ${f.recovery} s to make progress again`);
  });

  test('a plain-TCP client and a TLS client that does not trust the certificate are refused by the TLS avro source', async () => {
    const f = await chaos.inject('untrusted-clients');
    console.log(f.note);
  });

  test('a reload of a file with errors is refused on both tiers, and the running components stay as they were', async () => {
    for (const node of stage!.deployment.nodes) await chaos.inject('bad-reload', node);
  });

  test('an agent started on a file with errors exits with each error named by file and line, having created and bound nothing', async () => {
    const dir = makePeerDir('chaos-bad-config');
    const conf = join(dir, 'agent.properties');
    const port = await freePort();
    const metricsPort = await freePort();
    const lines = [
      'a.sources = r',
      'a.channels = c',
      'a.sinks = k',
      'a.sources.r.type = avro',
      'a.sources.r.bind = 127.0.0.1',
      `a.sources.r.port = ${port}`,
      'a.sources.r.channels = c',
      'a.channels.c.type = file',
      `a.channels.c.checkpointDir = ${join(dir, 'checkpoint')}`,
      `a.channels.c.dataDirs = ${join(dir, 'data')}`,
      'a.channels.c.capacity = lots',
      'a.sinks.k.type = no_such_sink',
      'a.sinks.k.channel = c',
    ];
    writeFileSync(conf, `${lines.join('\n')}\n`);
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '-f', conf, '-n', 'a', '--metrics-port', String(metricsPort), '--metrics-host', '127.0.0.1'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (out += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`${conf}:11 a\\.channels\\.c\\.capacity: expected an integer`));
    assert.match(out, new RegExp(`${conf}:12 a\\.sinks\\.k\\.type: expected a sink type`));
    assert.doesNotMatch(out, /Agent started|Avro source listening|Monitoring on/);
    assert.equal(existsSync(join(dir, 'checkpoint')) || existsSync(join(dir, 'data')), false, 'the channel created its directories');
  });

  test('every event sent during the hostile input is in Kafka and in HDFS, and no agent crashed', async () => {
    feeding.abort();
    await fed;
    const v = await drainAndVerify(stage!, 300_000);
    for (const line of [...verdictLines(v), ...faultTable(chaos.faults)]) console.log(line);
    assert.deepEqual(v.crashes, []);
    assert.equal(v.kafka.missing + v.hdfs.missing, 0, `missing: Kafka ${v.kafka.missingIds.join(', ')}; HDFS ${v.hdfs.missingIds.join(', ')}`);
    assert.equal(v.kafka.foreign + v.hdfs.foreign, 0);
  });
});
