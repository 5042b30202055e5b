/**
 * Crash and outage tests of the Kafka source and sink on a real broker. One agent runs two pipelines
 * from the same input topic: `kafka → memory (capacity 100000) → file_roll (one event per batch)`, so
 * the channel holds many events at each kill, and `kafka → memory → kafka`. It is SIGKILLed twenty
 * times, each time after its output grew; after a last clean run every input record must be in both
 * outputs at least once. Duplicates are counted and printed. A second test stops the broker for 10 s
 * under a running agent, which must recover by itself without losing a record.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { sendThroughSink, startSource, until } from '../helpers/kafka.ts';
import { type KafkaPeer, makePeerDir, showPeerLogsOnFailure, spawnChild, startKafka } from '../helpers/peers.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const KILLS = 20;
const RECORDS = 300_000;
const id = (i: number) => `r${String(i).padStart(6, '0')}`;

let kafka: KafkaPeer;
showPeerLogsOnFailure();
before(async () => {
  kafka = await startKafka();
});
after(() => kafka?.stop());

async function fill(topic: string, n: number): Promise<void> {
  await kafka.createTopic(topic, 3);
  for (let from = 0; from < n; from += 50_000) {
    const events = Array.from({ length: Math.min(50_000, n - from) }, (_, i) => ({ headers: {}, body: Buffer.from(id(from + i)) }));
    await sendThroughSink({ 'kafka.bootstrap.servers': kafka.bootstrap, 'kafka.topic': topic, flumeBatchSize: 5000 }, events);
  }
}

/**
 * Two pipelines reading `input`: one to file_roll in `out` (`fileBatch` events per write: 1 makes it slow,
 * so that its channel holds many events at a kill), one to the Kafka topic `copy`.
 */
function pipelines(agent: string, input: string, out: string, copy: string, fileBatch: number): string {
  const source = (name: string, channel: string) => [
    `${agent}.sources.${name}.type = org.apache.flume.source.kafka.KafkaSource`,
    `${agent}.sources.${name}.kafka.bootstrap.servers = ${kafka.bootstrap}`,
    `${agent}.sources.${name}.kafka.topics = ${input}`,
    `${agent}.sources.${name}.kafka.consumer.group.id = ${agent}-${name}`,
    `${agent}.sources.${name}.kafka.consumer.auto.offset.reset = earliest`,
    // A killed member holds its partitions until the broker gives up on it: keep that short.
    `${agent}.sources.${name}.kafka.consumer.session.timeout.ms = 6000`,
    `${agent}.sources.${name}.kafka.consumer.heartbeat.interval.ms = 1000`,
    `${agent}.sources.${name}.batchSize = 1000`,
    `${agent}.sources.${name}.channels = ${channel}`,
  ];
  const channel = (name: string) => [
    `${agent}.channels.${name}.type = memory`,
    `${agent}.channels.${name}.capacity = 100000`,
    `${agent}.channels.${name}.transactionCapacity = 1000`,
  ];
  return [
    `${agent}.sources = toFile toKafka`,
    `${agent}.channels = cf ck`,
    `${agent}.sinks = file kafka`,
    ...source('toFile', 'cf'),
    ...source('toKafka', 'ck'),
    ...channel('cf'),
    ...channel('ck'),
    `${agent}.sinks.file.type = file_roll`,
    `${agent}.sinks.file.channel = cf`,
    `${agent}.sinks.file.sink.directory = ${out}`,
    `${agent}.sinks.file.sink.rollInterval = 0`,
    `${agent}.sinks.file.sink.batchSize = ${fileBatch}`,
    `${agent}.sinks.kafka.type = org.apache.flume.sink.kafka.KafkaSink`,
    `${agent}.sinks.kafka.channel = ck`,
    `${agent}.sinks.kafka.kafka.bootstrap.servers = ${kafka.bootstrap}`,
    `${agent}.sinks.kafka.kafka.topic = ${copy}`,
    // The source sets a topic header naming the input topic, which would otherwise route back to it.
    `${agent}.sinks.kafka.allowTopicOverride = false`,
    `${agent}.sinks.kafka.flumeBatchSize = 1000`,
    '',
  ].join('\n');
}

function outputBytes(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) : 0;
}

interface Count {
  lost: number;
  duplicates: number;
  foreign: number;
}

function count(ids: Iterable<string>): Count {
  const seen = new Map<string, number>();
  let total = 0;
  let foreign = 0;
  for (const s of ids) {
    if (!/^r\d{6}$/.test(s) || Number(s.slice(1)) >= RECORDS) foreign++;
    seen.set(s, (seen.get(s) ?? 0) + 1);
    total++;
  }
  let lost = 0;
  for (let i = 0; i < RECORDS; i++) if (!seen.has(id(i))) lost++;
  return { lost, duplicates: total - seen.size, foreign };
}

function fileLines(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
}

/** Everything in `topic`, read by a fresh consumer group until `RECORDS` distinct records arrived. */
async function readTopic(topic: string): Promise<string[]> {
  const run = await startSource({ 'kafka.bootstrap.servers': kafka.bootstrap, 'kafka.topics': topic, 'kafka.consumer.group.id': `verify-${topic}`, 'kafka.consumer.auto.offset.reset': 'earliest' });
  await until(() => new Set(run.delivered.map((e) => e.body.toString())).size >= RECORDS, `every record in ${topic}`, 300_000);
  await delay(2000);
  await run.stop();
  return run.delivered.map((e) => e.body.toString());
}

/** The agent as a child process of the CLI, so that it can be SIGKILLed. */
function agentProcess(conf: string, log: string) {
  let child: ChildProcess | undefined;
  return {
    start(): void {
      const fd = openSync(log, 'a');
      try {
        child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--conf', conf, '--name', 'a'], { cwd: repo, stdio: ['ignore', fd, fd] });
      } finally {
        closeSync(fd);
      }
    },
    async end(sig: NodeJS.Signals): Promise<void> {
      const c = child;
      child = undefined;
      if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, 'exit');
      c.kill(sig);
      await exited;
    },
    tail: (): string => readFileSync(log, 'utf8').split('\n').slice(-40).join('\n'),
  };
}

test(`an agent SIGKILLed ${KILLS} times while consuming and producing loses no record`, { timeout: 40 * 60_000 }, async () => {
  await fill('kill-in', RECORDS);
  await kafka.createTopic('kill-copy', 3);
  const dir = makePeerDir('kafka-kill');
  const out = join(dir, 'out');
  const conf = join(dir, 'agent.properties');
  writeFileSync(conf, pipelines('a', 'kill-in', out, 'kill-copy', 1));
  const agent = agentProcess(conf, join(dir, 'agent.log'));
  try {
    for (let kill = 0, since = 0; kill < KILLS; kill++) {
      agent.start();
      await until(() => outputBytes(out) > since + 4096, `the agent to write more output before kill ${kill + 1}`, 180_000);
      await delay(Math.random() * 1500);
      await agent.end('SIGKILL');
      since = outputBytes(out);
      assert.ok(since < RECORDS * 8, `the file output was complete after ${kill + 1} kills: the loop did not interrupt enough work`);
    }
    agent.start();
    await until(() => count(fileLines(out)).lost === 0, 'every record in the file output', 600_000);
  } catch (err) {
    await agent.end('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- agent log ---\n${agent.tail()}`);
  }
  const copied = await readTopic('kill-copy');
  await agent.end('SIGTERM');
  const file = count(fileLines(out));
  const kafkaCopy = count(copied);
  console.log(`kafka → memory → file_roll, ${KILLS} SIGKILLs over ${RECORDS} records: ${file.lost} lost, ${file.duplicates} duplicates`);
  console.log(`kafka → memory → kafka, ${KILLS} SIGKILLs over ${RECORDS} records: ${kafkaCopy.lost} lost, ${kafkaCopy.duplicates} duplicates`);
  assert.deepEqual([file.lost, file.foreign], [0, 0]);
  assert.deepEqual([kafkaCopy.lost, kafkaCopy.foreign], [0, 0]);
});

test('with the broker stopped for 10 s mid-run the agent recovers by itself and loses no record', { timeout: 20 * 60_000 }, async () => {
  await fill('outage-in', RECORDS);
  await kafka.createTopic('outage-copy', 3);
  const dir = makePeerDir('kafka-outage');
  const out = join(dir, 'out');
  const plan = loadConfig({ files: ['agent.properties'], agent: 'a', text: pipelines('a', 'outage-in', out, 'outage-copy', 20) });
  const agent = new Agent(plan, { logger: silentLogger });
  await agent.start();
  try {
    await until(() => outputBytes(out) > RECORDS * 2, 'a quarter of the records in the file output', 300_000);
    await kafka.stop();
    assert.ok(outputBytes(out) < RECORDS * 7, 'the file output was still incomplete when the broker stopped');
    await delay(10_000);
    await kafka.restart();
    await until(() => count(fileLines(out)).lost === 0, 'every record in the file output after the outage', 600_000);
    const copied = await readTopic('outage-copy');
    const file = count(fileLines(out));
    const kafkaCopy = count(copied);
    console.log(`broker down 10 s: file output ${file.lost} lost, ${file.duplicates} duplicates; Kafka copy ${kafkaCopy.lost} lost, ${kafkaCopy.duplicates} duplicates`);
    assert.deepEqual([file.lost, file.foreign, kafkaCopy.lost, kafkaCopy.foreign], [0, 0, 0, 0]);
  } finally {
    await agent.stop(1000);
  }
});
