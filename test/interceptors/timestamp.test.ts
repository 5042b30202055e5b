import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, ev, problems } from './build.ts';

describe('timestamp interceptor', () => {
  test('sets the "timestamp" header to the current epoch milliseconds by default', async () => {
    const i = await build('timestamp');
    const before = Date.now();
    const [e] = i.intercept([ev('x')]);
    const stamp = Number(e!.headers['timestamp']);
    assert.match(e!.headers['timestamp']!, /^\d+$/);
    assert.ok(stamp >= before && stamp <= Date.now(), `${stamp} is not between ${before} and now`);
  });

  test('headerName names the header', async () => {
    const i = await build('timestamp', { headerName: 'ts' });
    const [e] = i.intercept([ev('x')]);
    assert.match(e!.headers['ts']!, /^\d+$/);
    assert.equal(e!.headers['timestamp'], undefined);
  });

  test('replaces an existing header by default (preserveExisting is false)', async () => {
    const i = await build('timestamp');
    const [e] = i.intercept([ev('x', { timestamp: '1' })]);
    assert.notEqual(e!.headers['timestamp'], '1');
  });

  test('preserveExisting = true keeps an existing header and stamps the others', async () => {
    const i = await build('timestamp', { preserveExisting: 'true' });
    const out = i.intercept([ev('x', { timestamp: '1' }), ev('y')]);
    assert.equal(out[0]!.headers['timestamp'], '1');
    assert.match(out[1]!.headers['timestamp']!, /^\d+$/);
  });

  test('the key "header" (a common mistake Flume silently ignores) is refused as unknown', () => {
    const { errors } = problems({ i1: { type: 'timestamp', header: 'ts' } });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_UNKNOWN_KEY');
    assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.header');
    assert.equal(errors[0]!.line, 8);
  });

  test('preserveExisting must be true or false', () => {
    const { errors } = problems({ i1: { type: 'timestamp', preserveExisting: 'yes' } });
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
  });
});
