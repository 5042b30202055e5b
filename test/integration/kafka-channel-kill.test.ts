// Kill -9 loops on the Kafka channel with a real broker, as CLI agents in child processes. During puts:
// `spooldir → kafka channel` (no sink) is SIGKILLed five times while it writes; the topic must then hold
// every input line at least once. During takes: `kafka channel → file_roll` (no source) drains that topic
// and is SIGKILLed five times; its output must then hold every line at least once. Duplicates (puts the
// broker acknowledged before the spool position was saved, takes delivered before their offsets were
// committed) are counted and printed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { AgentProcess, counter } from '../chaos/harness/agent-process.ts';
import { brokerForFile, readTopic, topicSize } from '../helpers/kafka-channel.ts';
import { freePort, makePeerDir } from '../helpers/peers.ts';

const FILES = 4;
const LINES = 100_000;
const TOTAL = FILES * LINES;
const KILLS = 5;

const broker = brokerForFile();

const line = (f: number, i: number) => `f${f}-${String(i).padStart(6, '0')} ${'abcdefghijklmnopqrstuvwxyz0123456789'.slice(0, 20 + (i % 17))}`;

interface Tally {
  seen: number;
  duplicates: number;
  missing: number;
  torn: number;
}

function tally(lines: Iterable<string>): Tally {
  const counts = new Map<string, number>();
  let seen = 0;
  let torn = 0;
  for (const l of lines) {
    seen++;
    if (!/^f\d-\d{6} [a-z0-9]+$/.test(l)) torn++;
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  let missing = 0;
  for (let f = 0; f < FILES; f++) for (let i = 0; i < LINES; i++) if (!counts.has(line(f, i))) missing++;
  return { seen, duplicates: seen - counts.size, missing, torn };
}

function channelLines(agent: string, extra: string[]): string {
  return [
    `${agent}.channels = c`,
    `${agent}.channels.c.type = org.apache.flume.channel.kafka.KafkaChannel`,
    `${agent}.channels.c.kafka.bootstrap.servers = ${broker().bootstrap}`,
    `${agent}.channels.c.kafka.topic = killed`,
    `${agent}.channels.c.kafka.consumer.group.id = drain`,
    ...extra,
    '',
  ].join('\n');
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await delay(100);
  }
}

/** Starts the agent, waits until `progress` counted at least `by` events in this run, then a random while, then SIGKILL. */
async function killWhileBusy(agent: AgentProcess, progress: (a: AgentProcess) => Promise<number>, by: number): Promise<void> {
  await agent.start();
  await until(`${agent.name} made progress`, async () => (await progress(agent)) >= by, 120_000);
  await delay(Math.random() * 1000);
  await agent.kill();
}

test('SIGKILLed five times while putting and five times while taking, the Kafka channel loses no event', { timeout: 30 * 60_000 }, async () => {
  const dir = makePeerDir('kafka-channel-kill');
  const spool = join(dir, 'spool');
  const out = join(dir, 'out');
  mkdirSync(spool);
  for (let f = 0; f < FILES; f++) writeFileSync(join(spool, `input-${f}.log`), `${Array.from({ length: LINES }, (_, i) => line(f, i)).join('\n')}\n`);
  const completed = () => readdirSync(spool).filter((f) => f.endsWith('.COMPLETED')).length;

  // Puts: spooldir → Kafka channel, no sink.
  const putConf = join(dir, 'put.properties');
  writeFileSync(putConf, channelLines('p', ['p.sources = r', 'p.sources.r.type = spooldir', `p.sources.r.spoolDir = ${spool}`, 'p.sources.r.batchSize = 500', 'p.sources.r.channels = c']));
  const putter = new AgentProcess('putter', putConf, 'p', await freePort(), join(dir, 'put.log'));
  const puts = async (a: AgentProcess) => counter(await a.metrics(), 'CHANNEL.c', 'EventPutSuccessCount');
  for (let k = 0; k < KILLS; k++) {
    await killWhileBusy(putter, puts, 5000);
    assert.ok(completed() < FILES, `all files were put after ${k + 1} kills: the loop did not interrupt enough puts`);
  }
  await putter.start();
  await until('every input file is in the topic', () => completed() === FILES, 10 * 60_000);
  await putter.stop();
  assert.deepEqual(putter.crashes, []);
  const size = await topicSize(broker().bootstrap, 'killed');
  const inTopic = tally((await readTopic(broker().bootstrap, 'killed', size, 5 * 60_000)).map((e) => e.body.toString()));
  assert.equal(inTopic.seen, size, 'the whole topic was read back');
  console.log(`puts: ${KILLS} SIGKILLs over ${TOTAL} lines: ${inTopic.missing} lost, ${inTopic.duplicates} duplicates in the topic`);
  assert.equal(inTopic.missing, 0, 'every line reached the topic');
  assert.equal(inTopic.torn, 0);

  // Takes: Kafka channel → file_roll, no source.
  const takeConf = join(dir, 'take.properties');
  writeFileSync(takeConf, channelLines('t', ['t.sinks = k', 't.sinks.k.type = file_roll', 't.sinks.k.channel = c', `t.sinks.k.sink.directory = ${out}`, 't.sinks.k.sink.rollInterval = 0', 't.sinks.k.sink.batchSize = 100']));
  const taker = new AgentProcess('taker', takeConf, 't', await freePort(), join(dir, 'take.log'));
  const takes = async (a: AgentProcess) => counter(await a.metrics(), 'CHANNEL.c', 'EventTakeSuccessCount');
  const output = (): string[] => (existsSync(out) ? readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean)) : []);
  for (let k = 0; k < KILLS; k++) {
    await killWhileBusy(taker, takes, 10_000);
    assert.ok(new Set(output()).size < TOTAL, `everything was taken after ${k + 1} kills: the loop did not interrupt enough takes`);
  }
  await taker.start();
  await until('every line is in the output', () => new Set(output()).size === TOTAL, 10 * 60_000);
  await taker.stop();
  assert.deepEqual(taker.crashes, []);
  const delivered = tally(output());
  console.log(`takes: ${KILLS} SIGKILLs over ${inTopic.seen} records: ${delivered.missing} lost, ${delivered.seen - inTopic.seen} duplicates delivered`);
  assert.equal(delivered.missing, 0, 'every line was delivered');
  assert.equal(delivered.torn, 0, 'no partial lines');
});
