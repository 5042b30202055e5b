// Proves that each real peer of the integration suite runs and is reachable with independent clients, so that a
// failure elsewhere in the suite points at Sluice and not at the harness.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type FlumePeer,
  type HdfsPeer,
  type KafkaPeer,
  makePeerDir,
  showPeerLogsOnFailure,
  startFlume,
  startHdfs,
  startKafka,
} from '../helpers/peers.ts';

// First use may fetch the peer's jars from Maven Central before starting it.
const startup = { timeout: 10 * 60_000 };

showPeerLogsOnFailure();

/** Properties of agent a1: a seq source of `total` events (bodies "0", "1", ...) -> memory -> the given sink. */
function seqAgent(total: number, sink: Record<string, string>): string {
  const lines = ['a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1'];
  lines.push('a1.sources.r1.type = seq', `a1.sources.r1.totalEvents = ${total}`, 'a1.sources.r1.channels = c1');
  lines.push('a1.channels.c1.type = memory', 'a1.sinks.k1.channel = c1');
  for (const [key, value] of Object.entries(sink)) lines.push(`a1.sinks.k1.${key} = ${value}`);
  return `${lines.join('\n')}\n`;
}

const sequence = (total: number): string[] => Array.from({ length: total }, (_, i) => String(i));

/** Waits until the agent's sink has taken `total` events from channel c1. */
async function drained(flume: FlumePeer, total: number): Promise<void> {
  // Generous: a sink's first batch loads its client libraries, which takes many seconds on a busy machine.
  const deadline = Date.now() + 90_000;
  let taken = '';
  while (Date.now() < deadline) {
    taken = (await flume.metrics())['CHANNEL.c1']?.['EventTakeSuccessCount'] ?? '';
    if (taken === String(total)) return;
    await delay(200);
  }
  assert.fail(`the sink took ${taken || 'no'} events of ${total} from the channel`);
}

describe('Kafka peer', () => {
  let kafka: KafkaPeer;
  before(async () => {
    kafka = await startKafka();
  }, startup);
  after(() => kafka?.stop());

  test('round-trips records through Kafka console producer and consumer', async () => {
    assert.match(kafka.bootstrap, /^127\.0\.0\.1:\d+$/);
    await kafka.createTopic('smoke', 2);
    await kafka.produce('smoke', ['first', 'second', 'third']);
    const got = await kafka.consume('smoke', 3);
    assert.deepEqual([...got].sort(), ['first', 'second', 'third']);
  });

  test("receives what Flume's Kafka sink sends (Flume's kafka variant)", async () => {
    await kafka.createTopic('from-flume');
    const properties = seqAgent(50, {
      type: 'org.apache.flume.sink.kafka.KafkaSink',
      'kafka.bootstrap.servers': kafka.bootstrap,
      'kafka.topic': 'from-flume',
      useFlumeEventFormat: 'false',
    });
    const flume = await startFlume(properties, 'a1', { variant: 'kafka' });
    try {
      await drained(flume, 50);
    } finally {
      await flume.stop();
    }
    assert.deepEqual(await kafka.consume('from-flume', 50), sequence(50));
  });

  test('keeps its records across SIGKILL and restart', async () => {
    await kafka.kill();
    await kafka.restart();
    const got = await kafka.consume('smoke', 3);
    assert.deepEqual([...got].sort(), ['first', 'second', 'third']);
  });
});

interface Reply {
  status: number;
  location: string | undefined;
  body: string;
}

// node:http rather than fetch: the DataNode sends an unsolicited "100 Continue", which fetch rejects.
function request(method: string, url: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/octet-stream' };
    const req = http.request(url, { method, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// WebHDFS answers CREATE and OPEN at the NameNode with a redirect to the DataNode that holds the data.
async function viaDataNode(method: string, url: string, body?: string): Promise<Reply> {
  const first = await request(method, url);
  assert.equal(first.status, 307, `${method} ${url}: ${first.body}`);
  assert.ok(first.location);
  return request(method, first.location, body);
}

describe('HDFS peer', () => {
  let hdfs: HdfsPeer;
  before(async () => {
    hdfs = await startHdfs();
  }, startup);
  after(() => hdfs?.stop());

  const text = 'line one\nline two\n';

  test('writes and reads a file over WebHDFS', async () => {
    const created = await viaDataNode('PUT', `${hdfs.webhdfsUrl}/smoke/a.txt?op=CREATE&overwrite=true`, text);
    assert.equal(created.status, 201, created.body);
    const opened = await viaDataNode('GET', `${hdfs.webhdfsUrl}/smoke/a.txt?op=OPEN`);
    assert.equal(opened.status, 200);
    assert.equal(opened.body, text);
  });

  test("reads the file back with Hadoop's own FsShell", async () => {
    assert.equal(await hdfs.readText('/smoke/a.txt'), text);
  });

  test("holds what Flume's HDFS sink writes (Flume's hdfs variant)", async () => {
    const properties = seqAgent(50, {
      type: 'hdfs',
      'hdfs.path': `${hdfs.namenodeRpc}/flume/smoke`,
      'hdfs.filePrefix': 'events',
      'hdfs.fileType': 'DataStream',
      // One DataNode: otherwise the sink sees every block as under-replicated and rolls after each batch.
      'hdfs.minBlockReplicas': '1',
      'hdfs.rollInterval': '0',
      'hdfs.rollSize': '0',
      'hdfs.rollCount': '0',
    });
    const flume = await startFlume(properties, 'a1', { variant: 'hdfs' });
    try {
      await drained(flume, 50);
    } finally {
      await flume.stop(); // closes and renames the file being written
    }
    const lines = (await hdfs.readText('/flume/smoke/events.*')).split('\n').filter(Boolean);
    assert.deepEqual(lines, sequence(50));
  });

  test('keeps its files across SIGKILL and restart', async () => {
    await hdfs.kill();
    await hdfs.restart();
    const opened = await viaDataNode('GET', `${hdfs.webhdfsUrl}/smoke/a.txt?op=OPEN`);
    assert.equal(opened.body, text);
  });
});

describe('Flume peer', () => {
  let flume: FlumePeer;
  const total = 1000;
  before(async () => {
    const dir = makePeerDir('flume');
    mkdirSync(join(dir, 'out'));
    const properties = seqAgent(total, {
      type: 'file_roll',
      'sink.directory': join(dir, 'out'),
      'sink.rollInterval': '0',
    });
    flume = await startFlume(properties, 'a1', { dir });
  }, startup);
  after(() => flume?.stop());

  test('runs seq -> memory -> file_roll and writes the sequence numbers in order', async () => {
    await drained(flume, total);
    // Stopping closes the sink's file, so everything it took is on disk.
    await flume.stop();
    const out = join(flume.dir, 'out');
    const lines = readdirSync(out)
      .sort()
      .flatMap((name) => readFileSync(join(out, name), 'utf8').split('\n').filter(Boolean));
    assert.deepEqual(lines, sequence(total));
  });

  test('fails to start with the reason and the tail of its log', async () => {
    await assert.rejects(startFlume(seqAgent(1, { type: 'null' }), 'a1', { jvm: ['-Xmx1k'] }), (err: Error) => {
      assert.match(err.message, /flume exited with code 1 before it was ready/);
      assert.match(err.message, /Too small maximum heap/);
      return true;
    });
  });

  test('refuses a configuration that Flume would run only in part', async () => {
    const properties = seqAgent(1, { type: 'null', channel: 'no-such-channel' });
    // An agent that starts after all is stopped, so that the failed assertion is all that remains.
    const attempt = startFlume(properties, 'a1').then((agent) => agent.stop());
    await assert.rejects(attempt, /flume rejected its configuration \("Could not configure"\)/);
  });
});
