// Apache Flume 1.11 reads what Sluice's serializers write: avro_event container files (null, deflate and snappy
// blocks, one file written by a whole Sluice agent through file_roll) are read back by Flume's spooling directory
// source with `deserializer = AVRO`, Java Avro's own container reader, and re-emitted by Flume's file_roll sink.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import avro from 'avsc';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { AvroEventSerializer, type AvroCodec, FLUME_EVENT_SCHEMA } from '../../src/sinks/util/serializers/avro-event.ts';
import { type FlumePeer, makePeerDir, showPeerLogsOnFailure, startFlume } from '../helpers/peers.ts';

showPeerLogsOnFailure();

const eventType = avro.Type.forSchema(JSON.parse(FLUME_EVENT_SCHEMA));
const work = makePeerDir('serializers');
const spool = join(work, 'spool');
const out = join(work, 'out');
const staging = join(work, 'staging');
for (const d of [spool, out, staging]) mkdirSync(d);

let flume: FlumePeer;
before(async () => {
  const properties = `
a1.sources = r1
a1.channels = c1
a1.sinks = k1
a1.sources.r1.type = spooldir
a1.sources.r1.spoolDir = ${spool}
a1.sources.r1.deserializer = AVRO
a1.sources.r1.deserializer.schemaType = LITERAL
a1.sources.r1.channels = c1
a1.channels.c1.type = memory
a1.channels.c1.capacity = 10000
a1.channels.c1.transactionCapacity = 1000
a1.sinks.k1.type = file_roll
a1.sinks.k1.channel = c1
a1.sinks.k1.sink.directory = ${out}
a1.sinks.k1.sink.rollInterval = 0
a1.sinks.k1.sink.serializer = avro_event
a1.sinks.k1.sink.batchSize = 1000
`;
  flume = await startFlume(properties, 'a1', { dir: join(work, 'flume') });
}, { timeout: 10 * 60_000 });
after(() => flume?.stop());

/** Moves a finished file into the spool directory, as spooldir requires (never written in place). */
function spoolFile(name: string, data: Buffer): void {
  writeFileSync(join(staging, name), data);
  renameSync(join(staging, name), join(spool, name));
}

let expectedTotal = 0;

/** Spooldir renames a file it has read to the end; a file it cannot read stays as it is. */
function completed(name: string): boolean {
  return readdirSync(spool).includes(`${name}.COMPLETED`);
}

async function flumeTook(total: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let taken = '';
  while (Date.now() < deadline) {
    taken = (await flume.metrics())['CHANNEL.c1']?.['EventTakeSuccessCount'] ?? '';
    if (taken === String(total)) return;
    await delay(200);
  }
  assert.fail(`Flume's sink took ${taken || 'no'} of ${total} events`);
}

/** What Flume emitted: one event per Avro record it read, the record's encoded datum as body. */
async function flumeOutput(): Promise<Array<{ headers: Record<string, string>; record: Event }>> {
  await flume.stop(); // closes the file_roll output
  const files = readdirSync(out);
  assert.equal(files.length, 1, `Flume's output files: ${files.join(', ')}`);
  const got: Array<{ headers: Record<string, string>; record: Event }> = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([readFileSync(join(out, files[0]!))])
      .pipe(new avro.streams.BlockDecoder())
      .on('data', (e: Event) => got.push({ headers: { ...e.headers }, record: eventType.fromBuffer(e.body) as Event }))
      .on('end', resolve)
      .on('error', reject);
  });
  return got;
}

function sample(codec: string, n: number): Event[] {
  return Array.from({ length: n }, (_, i): Event => ({
    headers: i % 7 === 0 ? {} : { codec, n: String(i), host: 'web1', 'clé': 'värde' },
    body: i % 11 === 0 ? Buffer.alloc(0) : Buffer.from(Array.from({ length: (i * 37) % 700 }, (_, j) => (i + j * 13) & 0xff)),
  }));
}

const written = new Map<string, Event[]>();

test('Flume reads null, deflate and snappy avro_event files written batch by batch', async () => {
  const cases: Array<[AvroCodec, number]> = [['null', 2048000], ['deflate', 4096], ['snappy', 2048000]];
  for (const [codec, syncInterval] of cases) {
    const s = new AvroEventSerializer(codec, syncInterval);
    const events = sample(codec, 400);
    const parts = [s.header()];
    for (let i = 0; i < events.length; i += 100) parts.push(s.encode(events.slice(i, i + 100)));
    spoolFile(`direct-${codec}.avro`, Buffer.concat(parts));
    written.set(codec, events);
    expectedTotal += events.length;
  }
  await flumeTook(expectedTotal);
  for (const [codec] of cases) assert.ok(completed(`direct-${codec}.avro`), `Flume finished direct-${codec}.avro`);
});

test('Flume reads the avro_event file a Sluice agent wrote through file_roll', async () => {
  const dir = join(work, 'sluice-out');
  const plan = loadConfig({
    files: ['sluice.properties'],
    agent: 'a1',
    text: [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = seq',
      'a1.sources.r1.totalEvents = 1000',
      'a1.sources.r1.batchSize = 50',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = file_roll',
      'a1.sinks.k1.channel = c1',
      `a1.sinks.k1.sink.directory = ${dir}`,
      'a1.sinks.k1.sink.rollInterval = 0',
      'a1.sinks.k1.sink.serializer = avro_event',
      'a1.sinks.k1.sink.serializer.compressionCodec = deflate',
    ].join('\n'),
  });
  const agent = new Agent(plan, { logger: silentLogger });
  await agent.start();
  const deadline = Date.now() + 30_000;
  while (agent.metrics.toFlumeJson()['SINK.k1']?.['EventDrainSuccessCount'] !== '1000') {
    if (Date.now() > deadline) assert.fail('the Sluice agent did not write its 1000 events');
    await delay(50);
  }
  await agent.stop();
  const [file, ...more] = readdirSync(dir);
  assert.deepEqual(more, []);
  spoolFile('sluice-agent.avro', readFileSync(join(dir, file!)));
  written.set('agent', Array.from({ length: 1000 }, (_, i) => ({ headers: {}, body: Buffer.from(String(i)) })));
  expectedTotal += 1000;
  await flumeTook(expectedTotal);
  assert.ok(completed('sluice-agent.avro'), 'Flume finished sluice-agent.avro');
});

test('every record arrives in Flume intact, with the schema Flume itself writes', async () => {
  const got = await flumeOutput();
  assert.equal(got.length, expectedTotal);
  for (const g of got) assert.equal(g.headers['flume.avro.schema.literal'], FLUME_EVENT_SCHEMA);
  const records = got.map((g) => ({ headers: { ...g.record.headers }, body: Buffer.from(g.record.body) }));
  let at = 0;
  // spooldir reads the files oldest first, one after another, each in order.
  for (const name of ['null', 'deflate', 'snappy', 'agent']) {
    const expected = written.get(name)!;
    assert.deepEqual(records.slice(at, at + expected.length), expected, `records of ${name}`);
    at += expected.length;
  }
});
