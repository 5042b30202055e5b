// Interop of the spooling-directory source with Apache Flume 1.11: files written by Sluice's file_roll
// sink (text and avro_event), plus a hand-made file with CRLF, blank, over-long and undecodable lines,
// are read by a real Flume spooldir source and by Sluice's, both writing what they read through an
// avro_event file_roll sink; the events (headers and bodies, per input file, in order) must be the same.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import avro from 'avsc';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { makePeerDir, showPeerLogsOnFailure, startFlume } from '../helpers/peers.ts';

showPeerLogsOnFailure();

/** Varied lines: ASCII, accents, CJK, emoji, a tab, a lone \r, and lengths around the 2048-character limit. */
function variedLines(n: number): string {
  const words = ['plain', 'café', '東京', '😀 emoji', 'tab\there', 'cr\rmid', ''];
  return Array.from({ length: n }, (_, i) => {
    const l = `${i} ${words[i % words.length]} ${'x'.repeat((i * 37) % 2600)}`;
    // Flume adds an empty event after a line of exactly 2048 characters; Sluice does not (a deviation).
    return l.length % 2048 === 0 ? `${l}y` : l;
  }).join('\n');
}

/** Not produced by file_roll: CRLF, blank lines, a 5000-character line, undecodable bytes, no final newline. */
function handMade(): Buffer {
  return Buffer.concat([
    Buffer.from('crlf line\r\n\r\n\nlong '),
    Buffer.from('é'.repeat(5000)),
    Buffer.from('\nbad '),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]),
    Buffer.from(' bytes\nno newline at the end'),
  ]);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await delay(100);
  }
}

const allCompleted = (dir: string) => readdirSync(dir).every((f) => f.startsWith('.') || f.endsWith('.COMPLETED'));

async function runSluice(text: string, agent: string, done: () => boolean): Promise<void> {
  const a = new Agent(loadConfig({ files: ['interop.properties'], agent, text }), { logger: silentLogger });
  await a.start();
  try {
    await waitFor('Sluice renamed every input file', done, 120_000);
  } finally {
    await a.stop(10_000);
  }
}

/** Events of every avro_event file in `dir`, by the basename header, in order. */
async function eventsByFile(dir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(dir).sort()) {
    const decoder = avro.createFileDecoder(join(dir, f));
    const done = once(decoder, 'end');
    decoder.on('data', (e: { headers: Record<string, string>; body: Buffer }) => {
      const { basename, ...rest } = e.headers;
      const list = out.get(basename!) ?? [];
      list.push(`${JSON.stringify(rest)} ${e.body.toString('hex')}`);
      out.set(basename!, list);
    });
    await done;
  }
  return out;
}

function pipeline(agent: string, lineIn: string, avroIn: string, lineOut: string, avroOut: string): string {
  return `
${agent}.sources = line avro
${agent}.channels = c1 c2
${agent}.sinks = k1 k2
${agent}.sources.line.type = spooldir
${agent}.sources.line.spoolDir = ${lineIn}
${agent}.sources.line.basenameHeader = true
${agent}.sources.line.decodeErrorPolicy = REPLACE
${agent}.sources.line.channels = c1
${agent}.sources.avro.type = spooldir
${agent}.sources.avro.spoolDir = ${avroIn}
${agent}.sources.avro.deserializer = AVRO
${agent}.sources.avro.basenameHeader = true
${agent}.sources.avro.channels = c2
${agent}.channels.c1.type = memory
${agent}.channels.c1.capacity = 100000
${agent}.channels.c1.transactionCapacity = 1000
${agent}.channels.c2.type = memory
${agent}.channels.c2.capacity = 100000
${agent}.channels.c2.transactionCapacity = 1000
${agent}.sinks.k1.type = file_roll
${agent}.sinks.k1.channel = c1
${agent}.sinks.k1.sink.directory = ${lineOut}
${agent}.sinks.k1.sink.rollInterval = 0
${agent}.sinks.k1.sink.serializer = avro_event
${agent}.sinks.k2.type = file_roll
${agent}.sinks.k2.channel = c2
${agent}.sinks.k2.sink.directory = ${avroOut}
${agent}.sinks.k2.sink.rollInterval = 0
${agent}.sinks.k2.sink.serializer = avro_event
`;
}

test('Flume 1.11 and Sluice read the same events from files written by Sluice file_roll (LINE and AVRO deserializers)', { timeout: 10 * 60_000 }, async () => {
  const dir = makePeerDir('spooldir-interop');
  const d = (...p: string[]) => {
    const path = join(dir, ...p);
    mkdirSync(path, { recursive: true });
    return path;
  };

  // 1. Sluice file_roll writes text and avro_event files from varied lines.
  const seed = d('seed');
  writeFileSync(join(seed, 'varied.log'), variedLines(3000));
  writeFileSync(join(seed, 'more.log'), variedLines(700));
  const produced = `
p.sources = r
p.channels = c1 c2
p.sinks = text avro
p.sources.r.type = spooldir
p.sources.r.spoolDir = ${seed}
p.sources.r.deserializer.maxLineLength = 100000
p.sources.r.channels = c1 c2
p.channels.c1.type = memory
p.channels.c1.capacity = 100000
p.channels.c2.type = memory
p.channels.c2.capacity = 100000
p.channels.c2.transactionCapacity = 1000
p.sinks.text.type = file_roll
p.sinks.text.channel = c1
p.sinks.text.sink.directory = ${d('produced-text')}
p.sinks.text.sink.rollInterval = 0
p.sinks.avro.type = file_roll
p.sinks.avro.channel = c2
p.sinks.avro.sink.directory = ${d('produced-avro')}
p.sinks.avro.sink.rollInterval = 0
p.sinks.avro.sink.serializer = avro_event
p.sinks.avro.sink.batchSize = 300
`;
  await runSluice(produced, 'p', () => allCompleted(seed));
  assert.equal(readdirSync(join(dir, 'produced-text')).length, 1);

  // 2. The same inputs for both agents.
  for (const who of ['flume', 'sluice']) {
    cpSync(join(dir, 'produced-text'), d(who, 'line-in'), { recursive: true });
    writeFileSync(join(dir, who, 'line-in', 'handmade.log'), handMade());
    writeFileSync(join(dir, who, 'line-in', 'empty.log'), '');
    cpSync(join(dir, 'produced-avro'), d(who, 'avro-in'), { recursive: true });
  }

  const flume = await startFlume(pipeline('f', d('flume', 'line-in'), d('flume', 'avro-in'), d('flume', 'line-out'), d('flume', 'avro-out')), 'f', { dir: d('flume', 'home') });
  try {
    await waitFor('Flume renamed every input file', () => allCompleted(join(dir, 'flume', 'line-in')) && allCompleted(join(dir, 'flume', 'avro-in')), 120_000);
    await waitFor('Flume drained its channels', async () => {
      const m = await flume.metrics();
      return m['CHANNEL.c1']?.['ChannelSize'] === '0' && m['CHANNEL.c2']?.['ChannelSize'] === '0';
    }, 60_000);
  } finally {
    await flume.stop();
  }

  await runSluice(pipeline('s', d('sluice', 'line-in'), d('sluice', 'avro-in'), d('sluice', 'line-out'), d('sluice', 'avro-out')), 's', () => allCompleted(join(dir, 'sluice', 'line-in')) && allCompleted(join(dir, 'sluice', 'avro-in')));

  for (const kind of ['line-out', 'avro-out']) {
    const f = await eventsByFile(join(dir, 'flume', kind));
    const s = await eventsByFile(join(dir, 'sluice', kind));
    assert.deepEqual([...s.keys()].sort(), [...f.keys()].sort(), `${kind}: the same input files`);
    for (const [name, events] of f) {
      assert.equal(s.get(name)!.length, events.length, `${kind} ${name}: the same number of events`);
      assert.deepEqual(s.get(name), events, `${kind} ${name}: the same events`);
    }
  }
  const lines = await eventsByFile(join(dir, 'sluice', 'line-out'));
  const count = [...lines.values()].reduce((n, l) => n + l.length, 0);
  assert.ok(count > 3700 + 5, `${count} line events compared`);
  assert.equal(lines.get('empty.log')?.length, 1, 'an empty file is one empty event in both');
  assert.ok((lines.get('handmade.log') ?? []).some((e) => e.includes('efbfbd')), 'undecodable bytes were replaced in both');
  const records = await eventsByFile(join(dir, 'sluice', 'avro-out'));
  assert.ok([...records.values()].flat().every((e) => e.startsWith('{"flume.avro.schema.hash":"8a878e615f1bfc26"}')), 'the schema hash header of the Event schema');
});

test('Sluice takes over a spooling directory from a killed Flume agent at the position Flume committed', { timeout: 10 * 60_000 }, async () => {
  const dir = makePeerDir('spooldir-takeover');
  const spool = join(dir, 'spool');
  mkdirSync(spool);
  const all = Array.from({ length: 100_000 }, (_, i) => `line ${String(i).padStart(6, '0')}`);
  const content = `${all.join('\n')}\n`;
  writeFileSync(join(spool, 'handover.log'), content);
  const props = (agent: string, out: string, sinkBatch: number) => `
${agent}.sources = r
${agent}.channels = c
${agent}.sinks = k
${agent}.sources.r.type = spooldir
${agent}.sources.r.spoolDir = ${spool}
${agent}.sources.r.channels = c
${agent}.channels.c.type = memory
${agent}.channels.c.capacity = 100000
${agent}.channels.c.transactionCapacity = 1000
${agent}.sinks.k.type = file_roll
${agent}.sinks.k.channel = c
${agent}.sinks.k.sink.directory = ${out}
${agent}.sinks.k.sink.rollInterval = 0
${agent}.sinks.k.sink.batchSize = ${sinkBatch}
`;
  const flumeOut = join(dir, 'flume-out');
  mkdirSync(flumeOut);
  // A slow sink keeps events in Flume's memory channel, as on a busy agent.
  const flume = await startFlume(props('f', flumeOut, 1), 'f', { dir: join(dir, 'flume-home') });
  const meta = join(spool, '.flumespool', '.flumespool-main.meta');
  await waitFor('Flume committed a position past 100 kB', async () => ((await flumeOffset(meta)) ?? 0) > 100_000, 120_000);
  await flume.kill();
  const offset = (await flumeOffset(meta))!;
  const next = content.slice(0, offset).split('\n').length - 1;
  assert.equal(content[offset - 1], '\n', 'Flume commits whole lines');

  const sluiceOut = join(dir, 'sluice-out');
  await runSluice(props('s', sluiceOut, 1000), 's', () => allCompleted(spool));
  const got = readdirSync(sluiceOut).flatMap((f) => readFileSync(join(sluiceOut, f), 'utf8').split('\n').filter(Boolean));
  assert.deepEqual(got, all.slice(next), `Sluice reads exactly from Flume's position (line ${next}) to the end`);
  const flumeLines = new Set(readdirSync(flumeOut).flatMap((f) => readFileSync(join(flumeOut, f), 'utf8').split('\n').filter(Boolean)));
  console.log(`Flume wrote ${flumeLines.size} lines before the kill and had committed up to line ${next}: its memory channel lost ${next - flumeLines.size}.`);
});

/** The last offset in Flume's position file, once it has one. */
async function flumeOffset(meta: string): Promise<number | undefined> {
  if (!existsSync(meta)) return undefined;
  let offset: number | undefined;
  const decoder = avro.createFileDecoder(meta);
  decoder.on('data', (r: { offset: number }) => {
    offset = r.offset;
  });
  try {
    await once(decoder, 'end');
  } catch {
    return undefined;
  }
  return offset;
}
