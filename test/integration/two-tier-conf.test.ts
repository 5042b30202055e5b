// The shipped tier configurations, run as shipped against real peers: two edge collectors
// (conf/edge-collector.properties) send to an aggregator (conf/aggregator.properties), which writes
// application logs to Kafka and HDFS and audit logs to HDFS only. Only the environment differs from
// production: ports, directories and peer addresses.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../src/agent/agent.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { freePort, type HdfsPeer, type KafkaPeer, showPeerLogsOnFailure, startHdfs, startKafka } from '../helpers/peers.ts';

showPeerLogsOnFailure();

const conf = (name: string) => new URL(`../../conf/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sluice-two-tier-'));
let hdfs: HdfsPeer;
let kafka: KafkaPeer;
const agents: Agent[] = [];

before(async () => {
  [hdfs, kafka] = await Promise.all([startHdfs(), startKafka()]);
  await kafka.createTopic('app-logs');
}, { timeout: 10 * 60_000 });
after(async () => {
  for (const a of agents) await a.stop(0);
  await Promise.all([hdfs?.stop(), kafka?.stop()]);
});

/** Writes a file beside the spooling directory and moves it in whole, as the source requires. */
function drop(spool: string, type: 'app' | 'audit', name: string, lines: string[]): void {
  const tmp = join(spool, `.${name}`);
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  renameSync(tmp, join(spool, type, name));
}

describe('the shipped edge collector and aggregator configurations', { timeout: 5 * 60_000 }, () => {
  test('route app logs to Kafka and HDFS and audit logs to HDFS, from two collectors', async () => {
    const port = await freePort();
    const aggregator = new Agent(
      loadConfig({
        files: [conf('aggregator.properties')],
        agent: 'aggregator',
        env: { AVRO_PORT: String(port), DATA_DIR: join(dir, 'aggregator'), HDFS_URI: hdfs.namenodeRpc, WEBHDFS_URL: hdfs.httpUrl, KAFKA_BROKERS: kafka.bootstrap },
      }),
      { logger: silentLogger, drainMs: 30_000 },
    );
    agents.push(aggregator);
    await aggregator.start();

    for (const c of ['c1', 'c2']) {
      const spool = join(dir, c, 'spool');
      for (const t of ['app', 'audit']) mkdirSync(join(spool, t), { recursive: true });
      const env = { SPOOL_DIR: spool, DATA_DIR: join(dir, c, 'data'), AGGREGATOR_1: '127.0.0.1', AGGREGATOR_2: '127.0.0.1', AGGREGATOR_PORT: String(port) };
      const collector = new Agent(loadConfig({ files: [conf('edge-collector.properties')], agent: 'collector', env }), { logger: silentLogger });
      agents.push(collector);
      await collector.start();
      drop(spool, 'app', 'app-1.log', Array.from({ length: 100 }, (_, i) => `${c} app ${i}`));
      drop(spool, 'audit', 'audit-1.log', Array.from({ length: 50 }, (_, i) => `${c} audit ${i}`));
    }

    const records = await kafka.consume('app-logs', 200, { timeoutMs: 120_000 });
    assert.equal(records.length, 200);
    assert.deepEqual(new Set(records.map((r) => r.replace(/ \d+$/, ''))), new Set(['c1 app', 'c2 app']));

    // Each collector renames a file once all of it is in its file channel; wait for the aggregator's
    // HDFS channel to empty, then stop it so the sink closes its files.
    for (const c of ['c1', 'c2']) {
      for (const t of ['app', 'audit']) {
        const d = join(dir, c, 'spool', t);
        const files = () => readdirSync(d).filter((f) => !f.startsWith('.'));
        for (let i = 0; i < 600 && !files().every((f) => f.endsWith('.COMPLETED')); i++) await delay(100);
        assert.deepEqual(files(), [`${t}-1.log.COMPLETED`]);
      }
    }
    const toHdfs = aggregator.running!.channels.get('to_hdfs')!;
    for (let i = 0; i < 600 && (toHdfs.size() > 0 || Number(aggregator.metrics.toFlumeJson()['CHANNEL.to_hdfs']!['EventPutSuccessCount']) < 300); i++) await delay(100);
    await aggregator.stop(30_000);

    const app = (await hdfs.shell(['-cat', '/logs/app/*/*/*.log'])).trim().split('\n');
    const audit = (await hdfs.shell(['-cat', '/logs/audit/*/*/*.log'])).trim().split('\n');
    assert.equal(app.length, 200);
    assert.equal(audit.length, 100);
    assert.deepEqual(new Set(audit.map((l) => l.replace(/ \d+$/, ''))), new Set(['c1 audit', 'c2 audit']));
    const files = await hdfs.shell(['-ls', '-R', '/logs']);
    assert.doesNotMatch(files, /\.tmp$/m, 'every file was closed');
  });
});
