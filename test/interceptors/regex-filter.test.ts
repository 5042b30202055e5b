import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodies } from '../helpers/components.ts';
import { build, ev, problems } from './build.ts';

const batch = () => [ev('INFO start'), ev('ERROR disk full'), ev('error: lower case'), ev('')];

describe('regex_filter interceptor', () => {
  test('the default regex .* keeps every event, and with excludeEvents drops every event', async () => {
    assert.equal((await build('regex_filter')).intercept(batch()).length, 4);
    assert.equal((await build('regex_filter', { excludeEvents: 'true' })).intercept(batch()).length, 0);
  });

  test('keeps the events whose body contains a match (find, not a whole-body match)', async () => {
    const i = await build('regex_filter', { regex: 'ERROR' });
    assert.deepEqual(bodies(i.intercept(batch())), ['ERROR disk full']);
  });

  test('excludeEvents = true drops the matching events instead', async () => {
    const i = await build('regex_filter', { regex: '^ERROR', excludeEvents: 'true' });
    assert.deepEqual(bodies(i.intercept(batch())), ['INFO start', 'error: lower case', '']);
  });

  test('Java syntax works: a leading (?i), \\Q…\\E quoting and $ before a final line break', async () => {
    assert.deepEqual(bodies((await build('regex_filter', { regex: '(?i)^error' })).intercept(batch())), ['ERROR disk full', 'error: lower case']);
    assert.deepEqual(bodies((await build('regex_filter', { regex: '\\Q: l\\E' })).intercept(batch())), ['error: lower case']);
    assert.equal((await build('regex_filter', { regex: 'full$' })).intercept([ev('disk full\n')]).length, 1);
  });

  test('decodes the body as UTF-8', async () => {
    const i = await build('regex_filter', { regex: 'caf\\u00e9' });
    assert.deepEqual(bodies(i.intercept([ev('café au lait'), ev('cafe')])), ['café au lait']);
  });

  test('returns a new array and leaves the batch it was given intact, so a retried batch is the same', async () => {
    const i = await build('regex_filter', { regex: 'ERROR' });
    const input = batch();
    i.intercept(input);
    assert.equal(input.length, 4);
  });

  test('a possessive quantifier is a config error that says what to write instead', () => {
    const { errors } = problems({ i1: { type: 'regex_filter', regex: '\\d++' } });
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
    assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.regex');
    assert.match(errors[0]!.message, /possessive/);
  });
});
