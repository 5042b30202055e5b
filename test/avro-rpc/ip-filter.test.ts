import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipAllowed, parseIpFilterRules } from '../../src/avro-rpc/ip-filter.ts';

const reverse = async (ip: string) => (ip === '10.1.2.3' ? ['build-7.example.com'] : []);

test('parses Flume rules and rejects malformed ones naming the key', () => {
  const rules = parseIpFilterRules('allow:ip:127.*, deny:name:*.example.com ,allow:ip:10.?.2.3');
  assert.deepEqual(
    rules.map((r) => [r.allow, r.kind, r.pattern]),
    [
      [true, 'ip', '127.*'],
      [false, 'name', '*.example.com'],
      [true, 'ip', '10.?.2.3'],
    ],
  );
  assert.throws(
    () => parseIpFilterRules('allow:ip:127.*,permit:ip:*'),
    (err: Error & { code?: string }) => err.code === 'SLUICE_CONFIG_BAD_VALUE' && /ipFilterRules/.test(err.message),
  );
});

test('the first matching rule decides, no match accepts', async () => {
  const rules = parseIpFilterRules('deny:name:*.example.com,allow:ip:10.*,deny:ip:*');
  assert.equal(await ipAllowed(rules, '10.1.2.3', reverse), false);
  assert.equal(await ipAllowed(rules, '10.9.9.9', reverse), true);
  assert.equal(await ipAllowed(rules, '192.168.0.1', reverse), false);
  assert.equal(await ipAllowed(parseIpFilterRules('deny:ip:10.*'), '192.168.0.1', reverse), true);
});

test('IPv4-mapped addresses match ip rules; name:localhost matches loopback without a lookup', async () => {
  assert.equal(await ipAllowed(parseIpFilterRules('deny:ip:127.0.0.?'), '::ffff:127.0.0.1', reverse), false);
  const noLookup = async () => assert.fail('no reverse lookup expected');
  assert.equal(await ipAllowed(parseIpFilterRules('deny:name:localhost'), '::1', noLookup), false);
  // Without a reverse name, the address itself is the name (as Java's getHostName).
  assert.equal(await ipAllowed(parseIpFilterRules('deny:name:192.168.*'), '192.168.0.1', reverse), false);
});
