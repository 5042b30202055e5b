import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigErrors } from '../../src/errors.ts';

const dir = (sub: string) => new URL(`./corpus/${sub}/`, import.meta.url).pathname;
const files = (sub: string) => readdirSync(dir(sub)).filter((f) => f.endsWith('.properties')).sort();
const env = { COLLECTOR_PORT: '4141', HDFS_ROOT: '/flume', KAFKA_BROKERS: '127.0.0.1:9092' };

/** The agent name is the first `# agent:` line, else a1. */
function agentOf(text: string): string {
  return /^# agent: (\S+)/m.exec(text)?.[1] ?? 'a1';
}

describe('config corpus: real-world Flume files load', () => {
  const good = files('good');
  test('the corpus has at least 15 configs', () => assert.ok(good.length >= 15, `only ${good.length}`));
  for (const f of good) {
    test(`${f} loads without errors`, () => {
      const path = dir('good') + f;
      const plan = loadConfig({ files: [path], agent: agentOf(readFileSync(path, 'latin1')), env });
      assert.ok(plan.sources.length + plan.sinks.length > 0);
      const unexpected = plan.warnings.filter((w) => w.code !== 'SLUICE_CONFIG_UNSUPPORTED');
      assert.deepEqual(unexpected.map((w) => w.message), []);
    });
  }
});

describe('config corpus: broken files are refused with the exact error', () => {
  const bad = files('bad');
  test('the corpus has at least 30 broken configs', () => assert.ok(bad.length >= 30, `only ${bad.length}`));
  for (const f of bad) {
    test(`${f} is refused`, () => {
      const path = dir('bad') + f;
      const text = readFileSync(path, 'latin1');
      const m = /^# expect: (\S+) key=(\S+)(?: line=(\d+))?/m.exec(text);
      assert.ok(m, 'the file states its expected error');
      const [, code, key, line] = m;
      let errors: ConfigErrors | undefined;
      try {
        loadConfig({ files: [path], agent: agentOf(text), env });
      } catch (e) {
        if (e instanceof ConfigErrors) errors = e;
        else throw e;
      }
      assert.ok(errors, 'the load failed');
      const found = errors.errors.find((e) => e.code === code && e.key === key && (line === undefined || e.line === Number(line)));
      assert.ok(found, `expected ${code} at ${key}${line ? `:${line}` : ''}; got:\n${errors.message}`);
      assert.equal(found.file, path, 'the error names the file');
    });
  }
});
