import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, ev, problems } from './build.ts';

const headers = () => ({ host: 'h', tmp1: '1', tmp2: '2', xtmp: '3', a: 'a', b: 'b', c: 'c' });

describe('remove_header interceptor', () => {
  test('with no keys it removes nothing', async () => {
    const i = await build('remove_header');
    assert.deepEqual(i.intercept([ev('x', headers())])[0]!.headers, headers());
  });

  test('withName removes that one header', async () => {
    const i = await build('remove_header', { withName: 'host' });
    const { host: _, ...rest } = headers();
    assert.deepEqual(i.intercept([ev('x', headers())])[0]!.headers, rest);
  });

  test('fromList is split on commas with optional spaces by default', async () => {
    const i = await build('remove_header', { fromList: 'a , b,c,absent' });
    assert.deepEqual(Object.keys(i.intercept([ev('x', headers())])[0]!.headers), ['host', 'tmp1', 'tmp2', 'xtmp']);
  });

  test('fromListSeparator is a Java regex; its capture groups do not become names', async () => {
    const i = await build('remove_header', { fromList: 'a(;)b(;)host', fromListSeparator: '\\(;\\)' });
    assert.deepEqual(Object.keys(i.intercept([ev('x', headers())])[0]!.headers), ['tmp1', 'tmp2', 'xtmp', 'c']);
    const j = await build('remove_header', { fromList: 'a;b', fromListSeparator: '(;)' });
    assert.deepEqual(Object.keys(j.intercept([ev('x', { ';': 'kept', a: '1', b: '2' })])[0]!.headers), [';']);
  });

  test('matching removes headers whose whole name matches (Matcher.matches, not find)', async () => {
    const i = await build('remove_header', { matching: 'tmp\\d' });
    assert.deepEqual(Object.keys(i.intercept([ev('x', headers())])[0]!.headers), ['host', 'xtmp', 'a', 'b', 'c']);
    const alt = await build('remove_header', { matching: 'a|tmp.*' });
    assert.deepEqual(Object.keys(alt.intercept([ev('x', headers())])[0]!.headers), ['host', 'xtmp', 'b', 'c']);
  });

  test('withName, fromList and matching combine', async () => {
    const i = await build('remove_header', { withName: 'host', fromList: 'a,b', matching: '.*tmp.*' });
    assert.deepEqual(i.intercept([ev('x', headers()), ev('y')]).map((e) => e.headers), [{ c: 'c' }, {}]);
  });

  test('an invalid matching regex is a config error naming the key and line', () => {
    const { errors } = problems({ i1: { type: 'remove_header', matching: 'tmp(' } });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
    assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.matching');
    assert.equal(errors[0]!.line, 8);
    assert.match(errors[0]!.message, /regular expression/);
  });
});
