import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { agentText, build, ev } from './build.ts';

describe('static interceptor', () => {
  test('sets header "key" to "value" when nothing is configured', async () => {
    const i = await build('static');
    assert.deepEqual(i.intercept([ev('x')])[0]!.headers, { key: 'value' });
  });

  test('key and value name the header and its value', async () => {
    const i = await build('static', { key: 'datacenter', value: 'NEW_YORK' });
    assert.deepEqual(i.intercept([ev('x', { a: 'b' })])[0]!.headers, { a: 'b', datacenter: 'NEW_YORK' });
  });

  test('keeps an existing header by default (preserveExisting is true)', async () => {
    const i = await build('static', { key: 'dc', value: 'NY' });
    const out = i.intercept([ev('x', { dc: 'SF' }), ev('y')]);
    assert.equal(out[0]!.headers['dc'], 'SF');
    assert.equal(out[1]!.headers['dc'], 'NY');
  });

  test('preserveExisting = false overwrites an existing header', async () => {
    const i = await build('static', { key: 'dc', value: 'NY', preserveExisting: 'false' });
    assert.equal(i.intercept([ev('x', { dc: 'SF' })])[0]!.headers['dc'], 'NY');
  });

  test('an empty value falls back to "value", because empty properties are dropped as in Flume', async () => {
    const text = agentText({ i1: { type: 'static', key: 'k' } }, ['a1.sources.r1.interceptors.i1.value =']);
    const p = loadConfig({ files: ['agent.properties'], agent: 'a1', text }).sources[0]!.interceptors[0]!;
    assert.equal(p.options['value'], 'value');
  });

  test('a header named like an Object property ("constructor") is set, not taken as present', async () => {
    const i = await build('static', { key: 'constructor', value: 'v' });
    assert.equal(i.intercept([ev('x')])[0]!.headers['constructor'], 'v');
  });
});
