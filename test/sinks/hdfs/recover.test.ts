import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/core/logger.ts';
import { PathTemplate } from '../../../src/sinks/hdfs/path.ts';
import { recoverOrphans } from '../../../src/sinks/hdfs/recover.ts';
import type { WebHdfs } from '../../../src/sinks/hdfs/webhdfs.ts';

const host = { localhost: 'web1', ip: '10.1.2.3', fqdn: 'web1.example.com' };
const target = { dir: new PathTemplate('/logs', host), prefix: new PathTemplate('FlumeData', host), inUsePrefix: '', inUseSuffix: '.tmp', fileSuffix: '' };

/** A directory `/logs/` in a fake WebHDFS whose TRUNCATE is refused `refusals` times, as under a dead writer's lease. */
function fakeHdfs(files: Record<string, number>, refusals: number) {
  const calls: string[] = [];
  const fs = {
    async status(path: string) {
      if (path === '/logs/') return { type: 'DIRECTORY', pathSuffix: '', length: 0 };
      return path in files ? { type: 'FILE', pathSuffix: path.slice(6), length: files[path]! } : undefined;
    },
    async list() {
      return Object.keys(files).map((p) => ({ type: 'FILE', pathSuffix: p.slice(6), length: files[p]! }));
    },
    async getXAttr() {
      return '10';
    },
    async truncate(path: string, length: number) {
      calls.push(`truncate ${path}`);
      if (refusals-- > 0) throw new Error('AlreadyBeingCreatedException: lease held by a dead client');
      files[path] = length;
      return true;
    },
    async rename(from: string, to: string) {
      calls.push(`rename ${from}`);
      files[to] = files[from]!;
      delete files[from];
      return true;
    },
    async delete() {
      return true;
    },
  };
  return { fs: fs as unknown as WebHdfs, calls, files };
}

describe('recovery of in-use files left by an earlier run', () => {
  it('retries a file HDFS refuses until it can cut it back and rename it', async () => {
    const { fs, calls, files } = fakeHdfs({ '/logs/FlumeData.17.tmp': 25, '/logs/other.tmp': 3 }, 2);
    const handled = await recoverOrphans(fs, target, () => false, silentLogger, new AbortController().signal, 1);
    assert.equal(handled, 1);
    assert.deepEqual(calls, ['truncate /logs/FlumeData.17.tmp', 'truncate /logs/FlumeData.17.tmp', 'truncate /logs/FlumeData.17.tmp', 'rename /logs/FlumeData.17.tmp']);
    assert.deepEqual(files, { '/logs/other.tmp': 3, '/logs/FlumeData.17': 10 }, 'cut back to the recorded length; a name it would not make is left alone');
  });

  it('tries once when the retry interval is 0, and never touches a file the running sink has open', async () => {
    const once = fakeHdfs({ '/logs/FlumeData.1.tmp': 25 }, 5);
    assert.equal(await recoverOrphans(once.fs, target, () => false, silentLogger, new AbortController().signal, 0), 0);
    assert.deepEqual(once.calls, ['truncate /logs/FlumeData.1.tmp']);

    const live = fakeHdfs({ '/logs/FlumeData.2.tmp': 25 }, 0);
    assert.equal(await recoverOrphans(live.fs, target, (p) => p === '/logs/FlumeData.2.tmp', silentLogger, new AbortController().signal, 1), 0);
    assert.deepEqual(live.calls, []);
  });

  it('stops retrying when the sink stops', async () => {
    const { fs, calls } = fakeHdfs({ '/logs/FlumeData.3.tmp': 25 }, Number.POSITIVE_INFINITY);
    const abort = new AbortController();
    const done = recoverOrphans(fs, target, () => false, silentLogger, abort.signal, 20);
    setTimeout(() => abort.abort(), 70);
    assert.equal(await done, 0);
    const attempts = calls.length;
    assert.ok(attempts >= 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls.length, attempts, 'no attempt after the stop');
  });
});
