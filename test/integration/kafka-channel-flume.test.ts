// The Kafka channel against Apache Flume 1.11's (org.apache.flume.channel.kafka.KafkaChannel) on one
// real broker, both with parseAsFlumeEvent = true: events a Sluice agent puts are taken by a Flume agent's
// channel and written by its file_roll sink, and the other way round. Bodies, headers and the record key
// must come through unchanged.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { brokerForFile } from '../helpers/kafka-channel.ts';
import { makePeerDir, startFlume } from '../helpers/peers.ts';

const TOTAL = 3000;

const broker = brokerForFile();

/** A channel-only half of an agent: the Kafka channel `c` with either a seq source or a file_roll sink. */
function half(agent: string, topic: string, group: string, side: { source: true } | { out: string }): string {
  const lines = [
    `${agent}.channels = c`,
    `${agent}.channels.c.type = org.apache.flume.channel.kafka.KafkaChannel`,
    `${agent}.channels.c.kafka.bootstrap.servers = ${broker().bootstrap}`,
    `${agent}.channels.c.kafka.topic = ${topic}`,
    `${agent}.channels.c.kafka.consumer.group.id = ${group}`,
    `${agent}.channels.c.parseAsFlumeEvent = true`,
  ];
  if ('source' in side) {
    lines.push(
      `${agent}.sources = r`,
      `${agent}.sources.r.type = seq`,
      `${agent}.sources.r.totalEvents = ${TOTAL}`,
      `${agent}.sources.r.batchSize = 100`,
      `${agent}.sources.r.channels = c`,
      `${agent}.sources.r.interceptors = o k`,
      `${agent}.sources.r.interceptors.o.type = static`,
      `${agent}.sources.r.interceptors.o.key = origin`,
      `${agent}.sources.r.interceptors.o.value = ${agent} agent \\u00e9`,
      `${agent}.sources.r.interceptors.k.type = static`,
      `${agent}.sources.r.interceptors.k.key = key`,
      `${agent}.sources.r.interceptors.k.value = the-key`,
    );
  } else {
    lines.push(
      `${agent}.sinks = k`,
      `${agent}.sinks.k.type = file_roll`,
      `${agent}.sinks.k.channel = c`,
      `${agent}.sinks.k.sink.directory = ${side.out}`,
      `${agent}.sinks.k.sink.rollInterval = 0`,
      `${agent}.sinks.k.sink.serializer = header_and_text`,
      `${agent}.sinks.k.sink.batchSize = 500`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** header_and_text lines (`{k=v, k2=v2} body`) of a file_roll directory, as [body, headers]. */
function readOutput(dir: string): Array<[string, Record<string, string>]> {
  if (!existsSync(dir)) return [];
  const out: Array<[string, Record<string, string>]> = [];
  for (const f of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /^\{(.*)\} (.*)$/.exec(line);
      if (!m) continue;
      const headers = Object.fromEntries(m[1]!.split(', ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      out.push([m[2]!, headers]);
    }
  }
  return out;
}

async function waitForLines(dir: string, n: number, ms: number): Promise<Array<[string, Record<string, string>]>> {
  const deadline = Date.now() + ms;
  let got = readOutput(dir);
  while (got.length < n && Date.now() < deadline) {
    await delay(200);
    got = readOutput(dir);
  }
  return got;
}

function assertAll(got: Array<[string, Record<string, string>]>, origin: string): void {
  assert.equal(got.length, TOTAL, `every event exactly once (got ${got.length})`);
  assert.deepEqual(got.map(([body]) => body).sort(), Array.from({ length: TOTAL }, (_, i) => String(i)).sort());
  for (const [, headers] of got) assert.deepEqual(headers, { origin, key: 'the-key' });
}

describe('Kafka channel: Sluice and Flume 1.11 share a topic', () => {
  test("events a Sluice agent puts are taken by Flume's Kafka channel and written by its file_roll", { timeout: 300_000 }, async () => {
    const dir = makePeerDir('kafka-channel-to-flume');
    const out = join(dir, 'out');
    mkdirSync(out); // Flume's file_roll does not create its directory.
    const sluice = new Agent(loadConfig({ files: ['sluice.properties'], agent: 's', text: half('s', 'to-flume', 'unused', { source: true }) }), { logger: silentLogger });
    await sluice.start();
    const flume = await startFlume(half('f', 'to-flume', 'flume-reader', { out }), 'f', { variant: 'kafka', dir });
    try {
      assertAll(await waitForLines(out, TOTAL, 120_000), 's agent é');
    } finally {
      await flume.stop();
      await sluice.stop(0);
    }
  });

  test("events Flume's Kafka channel puts are taken by Sluice's and written by its file_roll", { timeout: 300_000 }, async () => {
    const dir = makePeerDir('kafka-channel-from-flume');
    const out = join(dir, 'out');
    const flume = await startFlume(half('f', 'from-flume', 'unused', { source: true }), 'f', { variant: 'kafka', dir });
    const sluice = new Agent(loadConfig({ files: ['sluice.properties'], agent: 's', text: half('s', 'from-flume', 'sluice-reader', { out }) }), { logger: silentLogger });
    await sluice.start();
    try {
      assertAll(await waitForLines(out, TOTAL, 120_000), 'f agent é');
    } finally {
      await sluice.stop(0);
      await flume.stop();
    }
  });
});
