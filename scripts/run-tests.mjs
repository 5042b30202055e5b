#!/usr/bin/env node
// Lists test files and runs them with node's test runner: Node 20 has no glob in `node --test`.
// Usage: run-tests.mjs unit|integration|chaos|all [filter-substring]
// `chaos` (test/chaos/, the long fault-injection runs) is only ever run on its own, never by `all`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [part = 'all', filter = ''] = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const all = walk(join(root, 'test')).sort();
const isIntegration = (f) => f.startsWith('test/integration/');
const isChaos = (f) => f.startsWith('test/chaos/');
const inPart = { unit: (f) => !isIntegration(f) && !isChaos(f), integration: isIntegration, chaos: isChaos, all: (f) => !isChaos(f) };
if (!inPart[part]) {
  console.error(`unknown part "${part}": expected unit, integration, chaos or all`);
  process.exit(1);
}
const files = all
  .filter(inPart[part])
  .filter((f) => f.includes(filter));
if (files.length === 0) {
  console.error(`no ${part} test files match "${filter}"`);
  process.exit(1);
}
// Integration and chaos files share fixed peer ports, so they run one file at a time.
const concurrency = part === 'unit' ? '2' : '1';
// --test-force-exit: a file whose tests are over ends even if something it started is still running (a child
// its failed test never stopped, say), instead of holding up the suite until CI's own limit.
const args = ['--import', 'tsx', '--test', '--test-force-exit', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
