// Sluice's hdfs sink and Apache Flume 1.11's, fed the same events, write into the same real HDFS: for every
// file type and serializer, Hadoop's own reader (FsShell -text) must see the same records in both, and the
// files must be named alike. The comparison follows flume-wire.md §3: sorted lines, SequenceFile keys (the
// write time when events carry no timestamp) dropped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { WebHdfs } from '../../src/sinks/hdfs/webhdfs.ts';
import { type FlumePeer, type HdfsPeer, showPeerLogsOnFailure, startFlume, startHdfs } from '../helpers/peers.ts';

showPeerLogsOnFailure();

const TOTAL = 600;

const modes: Record<string, Record<string, string>> = {
  text: { 'hdfs.fileType': 'DataStream' },
  header_and_text: { 'hdfs.fileType': 'DataStream', serializer: 'header_and_text' },
  avro_event: { 'hdfs.fileType': 'DataStream', serializer: 'avro_event' },
  gzip: { 'hdfs.fileType': 'CompressedStream', 'hdfs.codeC': 'gzip' },
  seq_writable: { 'hdfs.fileType': 'SequenceFile' },
  seq_text: { 'hdfs.fileType': 'SequenceFile', 'hdfs.writeFormat': 'Text' },
};
const names = Object.keys(modes);

/** One agent: seq source -> one memory channel per mode -> one hdfs sink per mode, under `root`. */
function properties(root: string, extra: Record<string, string>): string {
  const l = ['a1.sources = r1', `a1.channels = ${names.map((_, i) => `c${i}`).join(' ')}`, `a1.sinks = ${names.map((_, i) => `k${i}`).join(' ')}`];
  l.push('a1.sources.r1.type = seq', `a1.sources.r1.totalEvents = ${TOTAL}`, 'a1.sources.r1.batchSize = 50', `a1.sources.r1.channels = ${names.map((_, i) => `c${i}`).join(' ')}`);
  names.forEach((mode, i) => {
    l.push(`a1.channels.c${i}.type = memory`, `a1.channels.c${i}.capacity = 10000`, `a1.channels.c${i}.transactionCapacity = 1000`);
    const sink: Record<string, string> = { type: 'hdfs', channel: `c${i}`, 'hdfs.path': `${root}/${mode}`, 'hdfs.batchSize': '100', 'hdfs.rollCount': '250', 'hdfs.rollSize': '0', 'hdfs.rollInterval': '0', ...modes[mode], ...extra };
    for (const [k, v] of Object.entries(sink)) l.push(`a1.sinks.k${i}.${k} = ${v}`);
  });
  return `${l.join('\n')}\n`;
}

async function until(what: string, done: () => Promise<boolean> | boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await delay(200);
  }
}

const drained = (m: Record<string, Record<string, string>>) => names.every((_, i) => m[`SINK.k${i}`]?.['EventDrainSuccessCount'] === String(TOTAL));

let hdfs: HdfsPeer;
let flume: FlumePeer | undefined;
let fs: WebHdfs;

before(async () => {
  hdfs = await startHdfs();
  fs = new WebHdfs({ urls: [hdfs.httpUrl], timeoutMs: 30_000 });
  const sluice = new Agent(loadConfig({ files: ['sluice.properties'], agent: 'a1', text: properties(`${hdfs.namenodeRpc}/sluice`, { 'hdfs.webhdfs.url': hdfs.httpUrl }) }), { logger: silentLogger });
  await sluice.start();
  flume = await startFlume(properties(`${hdfs.namenodeRpc}/flume`, { 'hdfs.minBlockReplicas': '1' }), 'a1', { variant: 'hdfs' });
  await until('Sluice delivered every event', () => drained(sluice.metrics.toFlumeJson()));
  await sluice.stop(5000);
  await until('Flume delivered every event', async () => drained(await flume!.metrics()));
  await flume.stop();
}, { timeout: 10 * 60_000 });

after(async () => {
  fs?.close();
  await flume?.stop();
  await hdfs?.stop();
});

/** What Hadoop's reader shows of every file of a mode, normalised as flume-wire.md §3 says. */
async function records(agent: 'sluice' | 'flume', mode: string): Promise<string[]> {
  const out = await hdfs.readText(`/${agent}/${mode}/*`);
  const rows = out.split('\n').filter((r) => r !== '');
  return (mode.startsWith('seq') ? rows.map((r) => r.slice(r.indexOf('\t') + 1)) : rows).sort();
}

async function fileNames(agent: 'sluice' | 'flume', mode: string): Promise<string[]> {
  return (await fs.list(`/${agent}/${mode}`)).map((s) => s.pathSuffix.replace(/\d{13}/, 'N'));
}

describe('hdfs sink output compared with Flume 1.11', { timeout: 600_000 }, () => {
  for (const mode of names) {
    test(`${mode}: Hadoop reads the same ${TOTAL} records from Sluice's files as from Flume's`, async () => {
      const [ours, theirs] = [await records('sluice', mode), await records('flume', mode)];
      assert.equal(ours.length, TOTAL);
      assert.deepEqual(ours, theirs);
    });

    test(`${mode}: files are named as Flume names them, and none is left in use`, async () => {
      const [ours, theirs] = [await fileNames('sluice', mode), await fileNames('flume', mode)];
      assert.deepEqual(ours, theirs);
      assert.equal(ours.length, Math.ceil(TOTAL / 250));
      assert.ok(ours.every((n) => !n.endsWith('.tmp')));
    });
  }

  test('SequenceFiles carry the same key and value classes as Flume writes', async () => {
    for (const [mode, value] of [['seq_writable', 'BytesWritable'], ['seq_text', 'Text']] as const) {
      for (const agent of ['sluice', 'flume'] as const) {
        const [first] = (await fs.list(`/${agent}/${mode}`)).map((s) => s.pathSuffix);
        const head = (await hdfs.shell(['-cat', `/${agent}/${mode}/${first}`])).slice(0, 80);
        assert.match(head, new RegExp(`^SEQ\\x06.org\\.apache\\.hadoop\\.io\\.LongWritable.org\\.apache\\.hadoop\\.io\\.${value}\\x00\\x00`), `${agent} ${mode}`);
      }
    }
  });
});
