import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCodes } from '../src/errors.ts';
import { renderComponents } from '../scripts/gen-docs.ts';

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

test('docs/components.md is generated from the current option tables (run npm run docs)', () => {
  assert.equal(doc('components.md'), renderComponents());
});

test('docs/errors.md documents every error code and no stale one', () => {
  const documented = [...doc('errors.md').matchAll(/^### (SLUICE_\w+)$/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...errorCodes].sort());
});
