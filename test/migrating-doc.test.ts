import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { regenerate } from '../scripts/migration-doc.ts';
import { channels } from '../src/channels/registry.ts';
import type { Schema } from '../src/config/schema.ts';
import { interceptors } from '../src/interceptors/registry.ts';
import { sinks } from '../src/sinks/registry.ts';
import { sources } from '../src/sources/registry.ts';

const doc = readFileSync(new URL('../docs/migrating-from-flume.md', import.meta.url), 'utf8');

test('docs/migrating-from-flume.md has the current generated lists (run npm run docs)', () => {
  assert.deepEqual([...doc.matchAll(/<!-- generated: ([\w-]+) -->/g)].map((m) => m[1]), ['deviations', 'unsupported-keys', 'missing-types']);
  assert.equal(doc, regenerate(doc));
});

test('every key a component marks unsupported is listed with its component', () => {
  for (const registry of [sources, channels, sinks, interceptors]) {
    for (const d of registry.entries) {
      for (const [key, spec] of Object.entries(d.options as Schema)) {
        if (spec.kind === 'unsupported') assert.ok(doc.includes(`| \`${d.type}\` | \`${key}\` |`), `${registry.kind} ${d.type}: ${key}`);
      }
    }
  }
});
