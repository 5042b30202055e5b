import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LINE_BYTES, linesFile, withKeys } from '../../../bench/harness/workload.ts';

test('withKeys replaces a key where it stands and appends the keys that were missing', () => {
  const text = '# a comment = not a key\na1.sources.r1.port = 41414\na1.sinks.k1.port=41414\n';
  const out = withKeys(text, { 'a1.sources.r1.port': 5000, 'a1.extra': 'x' });
  assert.equal(out, '# a comment = not a key\na1.sources.r1.port = 5000\na1.sinks.k1.port=41414\na1.extra = x\n');
});

test('the lines file holds 500-byte lines of a counter, a space and base64 noise', async () => {
  const lines = readFileSync(await linesFile(3000), 'latin1').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 3000);
  for (const [i, line] of lines.entries()) {
    assert.equal(line.length, LINE_BYTES - 1);
    assert.match(line, /^\d{10} [A-Za-z0-9+/]{488}$/);
    assert.equal(Number(line.slice(0, 10)), i);
  }
});
