// Passwords in a configuration never reach the logs or the CLI's output: an agent run at the most verbose log
// level, whose Kafka and Avro sinks fail to connect again and again (the errors most likely to print options),
// and `agent validate` and `agent graph` on the same file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, spawnChild } from '../helpers/peers.ts';

const root = new URL('../../', import.meta.url).pathname;
const SECRET = 'S3cret';

async function properties(): Promise<string> {
  const [kafkaPort, avroPort] = [await freePort(), await freePort()];
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-secrets-')), 'agent.properties');
  writeFileSync(
    file,
    [
      'a1.sources = r1',
      'a1.channels = c1 c2',
      'a1.sinks = k1 k2',
      'a1.sources.r1.type = seq',
      'a1.sources.r1.totalEvents = 100',
      'a1.sources.r1.channels = c1 c2',
      'a1.channels.c1.type = memory',
      'a1.channels.c2.type = memory',
      'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
      'a1.sinks.k1.channel = c1',
      `a1.sinks.k1.kafka.bootstrap.servers = 127.0.0.1:${kafkaPort}`,
      'a1.sinks.k1.kafka.topic = t',
      'a1.sinks.k1.kafka.producer.security.protocol = SASL_SSL',
      'a1.sinks.k1.kafka.producer.sasl.mechanism = SCRAM-SHA-256',
      `a1.sinks.k1.kafka.producer.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${SECRET}-jaas";`,
      `a1.sinks.k1.kafka.producer.ssl.truststore.password = ${SECRET}-kafka-trust`,
      `a1.sinks.k1.kafka.producer.ssl.keystore.password = ${SECRET}-kafka-keystore`,
      `a1.sinks.k1.kafka.producer.ssl.key.password = ${SECRET}-kafka-key`,
      'a1.sinks.k2.type = avro',
      'a1.sinks.k2.channel = c2',
      'a1.sinks.k2.hostname = 127.0.0.1',
      `a1.sinks.k2.port = ${avroPort}`,
      'a1.sinks.k2.ssl = true',
      `a1.sinks.k2.truststore-password = ${SECRET}-avro-trust`,
      '',
    ].join('\n'),
  );
  return file;
}

/** The CLI with `args`; `output()` is everything it printed so far, on stdout and stderr. */
function cli(args: string[]) {
  const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => output, closed };
}

test('no password of the configuration appears in the logs, in validate or in graph', { timeout: 180_000 }, async () => {
  const file = await properties();
  const agent = cli(['-f', file, '-n', 'a1', '--log-level', 'trace']);
  const { child } = agent;
  const deadline = Date.now() + 120_000;
  // Both sinks must have failed (and retried) before the log is judged.
  const failed = (sink: string) => new RegExp(`"level":(40|50),[^\\n]*"name":"${sink}"[^\\n]*ECONNREFUSED`).test(agent.output());
  while (!(failed('k1') && failed('k2'))) {
    assert.ok(child.exitCode === null && Date.now() < deadline, `the sinks did not report their failures:\n${agent.output().slice(-3000)}`);
    await delay(200);
  }
  await delay(3000);
  child.kill('SIGTERM');
  await agent.closed;
  const log = agent.output();
  assert.match(log, /Agent started/);
  assert.ok(!log.includes(SECRET), `a secret is in the log:\n${log.split('\n').filter((l) => l.includes(SECRET)).join('\n')}`);

  for (const command of ['validate', 'graph']) {
    const run = cli([command, '-f', file, '-n', 'a1']);
    const code = await run.closed;
    assert.equal(code, 0, run.output());
    assert.ok(!run.output().includes(SECRET), `a secret is in the output of ${command}:\n${run.output()}`);
  }
});
