// The image's entrypoint, run without Docker: the sources compiled as the Dockerfile's build stage does,
// laid out as in the image (dist/, conf/, package.json), then `node dist/cli.js …` with the image's
// default command, the compose services' commands and environments, and the health check.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { freePort, spawnChild } from '../helpers/peers.ts';
import { confAndName, dockerfile, sluiceServices } from '../helpers/docker-files.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// Inside the repository, so node_modules resolves as it does in /opt/sluice.
const image = join(root, '.tmp/image');
const final = dockerfile().slice(dockerfile().findLastIndex((s) => s.op === 'FROM'));
const entrypoint = JSON.parse(final.find((s) => s.op === 'ENTRYPOINT')!.args) as string[];
const defaultCmd = JSON.parse(final.find((s) => s.op === 'CMD')!.args) as string[];
const children: ChildProcess[] = [];

const node = (args: string[], env: Record<string, string> = {}) => run(process.execPath, args, { cwd: image, env: { ...process.env, ...env } });

describe('the image entrypoint, outside Docker', { timeout: 300_000 }, () => {
  before(async () => {
    rmSync(image, { recursive: true, force: true });
    mkdirSync(image, { recursive: true });
    // What `npm run build` does in the Dockerfile, with the output where the image has it.
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(image, 'dist')], { cwd: root });
    cpSync(join(root, 'package.json'), join(image, 'package.json'));
    cpSync(join(root, 'conf'), join(image, 'conf'), { recursive: true });
  });
  after(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  test('the entrypoint is node dist/cli.js', () => {
    assert.deepEqual(entrypoint, ['node', 'dist/cli.js']);
  });

  test('validate accepts the default command and every compose service, with its environment', async () => {
    const runs = [{ name: 'default', command: defaultCmd, environment: {} }, ...sluiceServices()];
    for (const s of runs) {
      const { stdout } = await node([entrypoint[1]!, 'validate', ...s.command], s.environment);
      assert.match(stdout, new RegExp(`agent ${confAndName(s.command).name} \\(${confAndName(s.command).conf}\\) is valid:`), s.name);
      assert.doesNotMatch(stdout, /warning/, s.name);
    }
  });

  test('the default command runs the quick start, passes the health check, and stops cleanly on SIGTERM', async () => {
    const port = String(await freePort());
    const cmd = defaultCmd.map((a) => (a === '41414' ? port : a));
    const child = spawnChild(process.execPath, [entrypoint[1]!, ...cmd], { cwd: image, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const health = final.find((s) => s.op === 'HEALTHCHECK')!.args;
    const check = JSON.parse(health.slice(health.indexOf('CMD ') + 4)) as string[];
    assert.equal(check[0], 'node');
    const probe = check.slice(1).map((a) => a.replace('41414', port));
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = await node(probe).then(
        () => true,
        () => false,
      );
      if (!ok) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(ok, `the health check never passed:\n${stderr}`);
    const end = Date.now() + 20_000;
    while ((stderr.match(/Event: /g) ?? []).length < 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.equal((stderr.match(/Event: /g) ?? []).length, 20, stderr);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0, stderr);
  });
});
