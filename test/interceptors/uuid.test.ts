import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, ev } from './build.ts';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid interceptor', () => {
  test('sets header "id" to a distinct random version-4 UUID on each event', async () => {
    const i = await build('uuid');
    const out = i.intercept([ev('a'), ev('b'), ev('c')]);
    for (const e of out) assert.match(e.headers['id']!, UUID4);
    assert.equal(new Set(out.map((e) => e.headers['id'])).size, 3);
  });

  test('a batch larger than the random buffer still gets distinct valid UUIDs, with a non-ASCII prefix intact', async () => {
    const i = await build('uuid', { prefix: 'hôte-' });
    const ids = i.intercept(Array.from({ length: 2500 }, (_, n) => ev(String(n)))).map((e) => e.headers['id']!);
    for (const id of ids) {
      assert.ok(id.startsWith('hôte-'), id);
      assert.match(id.slice(5), UUID4);
    }
    assert.equal(new Set(ids).size, 2500);
  });

  test('headerName and prefix shape the header', async () => {
    const i = await build('uuid', { headerName: 'eventId', prefix: 'host7-' });
    const [e] = i.intercept([ev('a')]);
    assert.equal(e!.headers['id'], undefined);
    assert.match(e!.headers['eventId']!.slice('host7-'.length), UUID4);
    assert.ok(e!.headers['eventId']!.startsWith('host7-'));
  });

  test('keeps an existing id by default (preserveExisting is true)', async () => {
    const i = await build('uuid');
    assert.equal(i.intercept([ev('a', { id: 'mine' })])[0]!.headers['id'], 'mine');
  });

  test('preserveExisting = false replaces an existing id', async () => {
    const i = await build('uuid', { preserveExisting: 'false' });
    assert.match(i.intercept([ev('a', { id: 'mine' })])[0]!.headers['id']!, UUID4);
  });
});
