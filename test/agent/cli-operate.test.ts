import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { startMonitoring } from '../../src/agent/http.ts';
import { freePort, spawnChild } from '../helpers/peers.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-operate-'));
const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root });
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

const config = (batch: number) =>
  [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = seq',
    'a1.sources.r1.batchSize = 10',
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    'a1.channels.c1.capacity = 1000',
    'a1.sinks.k1.type = null',
    'a1.sinks.k1.channel = c1',
    'a1.sinks.k1.logEveryNEvents = 0',
    `a1.sinks.k1.batchSize = ${batch}`,
  ].join('\n');

describe('operating a running agent from the command line', { timeout: 600_000 }, () => {
  test('graph prints the topology as Mermaid', async () => {
    const file = join(dir, 'graph.properties');
    writeFileSync(file, config(10));
    const { stdout } = await cli(['graph', '--conf', file, '--name', 'a1']);
    assert.match(stdout, /flowchart LR/);
    assert.match(stdout, /ch0 --> sink0/);
  });

  test('an agent with --admin and text logs is watched by top and tap, and reloads on SIGHUP', async () => {
    const file = join(dir, 'agent.properties');
    writeFileSync(file, config(10));
    const port = await freePort();
    const child = spawnChild(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--conf', file, '--name', 'a1', '--metrics-port', String(port), '--metrics-host', '127.0.0.1', '--admin', '--log-format', 'text', '--no-reload-conf'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300 && !/Agent started/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /^\S+Z INFO {2}Agent started\. agent=a1 sources=1 channels=1 sinkGroups=1$/m);
    assert.match(stderr, /Reloading the configuration on SIGHUP only\./);

    const [top, tap] = await Promise.all([cli(['top', '--url', url, '--count', '1', '--interval', '500']), cli(['tap', 'k1', '--url', url, '--count', '2', '--preview', '8'])]);
    assert.match(top.stdout, /^k1\s+sink\s+[\d,.]+\s+[\d,.]+\s+0$/m);
    const events = tap.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.length, 2);
    assert.deepEqual(Object.keys(events[0]), ['component', 'kind', 'time', 'headers', 'bodyBytes', 'body', 'encoding', 'truncated']);

    writeFileSync(file, config(20));
    child.kill('SIGHUP');
    for (let i = 0; i < 100 && !/Configuration reloaded/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /INFO {2}Configuration reloaded \(SIGHUP\): sink groups changed: sink k1\./);
    child.kill('SIGTERM');
    assert.equal(await new Promise((r) => child.on('exit', r)), 0, stderr);
  });

  test('tap against an agent without --admin says how to turn it on and exits 1', async () => {
    const server = await startMonitoring(0, '127.0.0.1', () => undefined);
    try {
      const r = await cli(['tap', 'r1', '--url', `http://127.0.0.1:${server.port}`, '--count', '1']).catch((err: { code: number; stderr: string }) => err);
      assert.equal((r as { code: number }).code, 1);
      assert.match((r as { stderr: string }).stderr, /^Tapping is off: start the agent with --admin to serve \/tap\.$/m);
    } finally {
      await server.close();
    }
  });
});
