import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, mock, test } from 'node:test';
import { pino } from 'pino';
import { HostInterceptor, localHost } from '../../src/interceptors/host.ts';
import { build, ev } from './build.ts';

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (s: string) => lines.push(s) }) };
}

const defaults = { useIP: true, hostHeader: 'host', preserveExisting: false };

describe('host interceptor', () => {
  test("sets header \"host\" to this host's IP address by default", async () => {
    const i = await build('host');
    const [e] = i.intercept([ev('x')]);
    assert.ok(isIP(e!.headers['host']!) !== 0, `"${e!.headers['host']}" is not an IP address`);
    assert.equal(e!.headers['host'], await localHost(true));
  });

  test('useIP = false sets the canonical host name, and hostHeader names the header', async () => {
    const i = await build('host', { useIP: 'false', hostHeader: 'agentHost' });
    const [e] = i.intercept([ev('x')]);
    assert.equal(e!.headers['host'], undefined);
    assert.equal(e!.headers['agentHost'], await localHost(false));
  });

  test('replaces an existing header by default; preserveExisting = true keeps it', async () => {
    const replace = await build('host');
    assert.notEqual(replace.intercept([ev('x', { host: 'other' })])[0]!.headers['host'], 'other');
    const keep = await build('host', { preserveExisting: 'true' });
    assert.equal(keep.intercept([ev('x', { host: 'other' })])[0]!.headers['host'], 'other');
  });

  test('resolves once, in initialize, not per batch', async () => {
    let calls = 0;
    const i = new HostInterceptor(defaults, { agent: 'a1', name: 'i1', logger: pino({ level: 'silent' }) }, async () => `10.0.0.${++calls}`);
    await i.initialize();
    i.intercept([ev('x')]);
    assert.equal(i.intercept([ev('y')])[0]!.headers['host'], '10.0.0.1');
    assert.equal(calls, 1);
  });

  test('when resolution fails no header is set, as in Flume, and a warning says why', async () => {
    const { lines, logger } = capturingLogger();
    const i = new HostInterceptor(defaults, { agent: 'a1', name: 'i1', logger }, async () => {
      throw new Error('getaddrinfo ENOTFOUND vm');
    });
    await i.initialize();
    assert.deepEqual(i.intercept([ev('x')])[0]!.headers, {});
    assert.match(lines.join(''), /ENOTFOUND vm.*header \\"host\\" will not be set/);
  });

  test('a resolver that never answers is given up after 5 s', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { lines, logger } = capturingLogger();
      const i = new HostInterceptor(defaults, { agent: 'a1', name: 'i1', logger }, () => new Promise<string>(() => undefined));
      const done = i.initialize();
      mock.timers.tick(5000);
      await done;
      assert.deepEqual(i.intercept([ev('x')])[0]!.headers, {});
      assert.match(lines.join(''), /no answer within 5000 ms/);
    } finally {
      mock.timers.reset();
    }
  });
});
