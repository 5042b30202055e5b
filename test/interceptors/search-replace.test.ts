import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodies } from '../helpers/components.ts';
import { build, ev, problems } from './build.ts';

async function replace(props: Record<string, string>, ...texts: string[]): Promise<string[]> {
  const i = await build('search_replace', props);
  return bodies(i.intercept(texts.map((t) => ev(t))));
}

describe('search_replace interceptor', () => {
  test('replaces every match in the body', async () => {
    assert.deepEqual(await replace({ searchPattern: '\\d', replaceString: '#' }, 'card 1234', 'none'), ['card ####', 'none']);
  });

  test('a missing replaceString deletes the matches', async () => {
    assert.deepEqual(await replace({ searchPattern: '^\\S+\\s' }, 'pid=1 message'), ['message']);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: Java's replacement syntax, not a template
  test('the replacement uses Java syntax: $n, ${name}, $0 and backslash quoting', async () => {
    assert.deepEqual(await replace({ searchPattern: '(\\w+)@(\\w+)', replaceString: '$2 at $1' }, 'me@host'), ['host at me']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Java's replacement syntax, not a template
    assert.deepEqual(await replace({ searchPattern: '(?<user>\\w+)@', replaceString: '<${user}>' }, 'me@host'), ['<me>host']);
    assert.deepEqual(await replace({ searchPattern: '\\d+', replaceString: '[$0]' }, 'a 12'), ['a [12]']);
    assert.deepEqual(await replace({ searchPattern: 'USD', replaceString: '\\$\\\\' }, '5 USD'), ['5 $\\']);
  });

  test('like Java, $12 is group 1 followed by "2" when the pattern has fewer than 12 groups', async () => {
    assert.deepEqual(await replace({ searchPattern: '(a)', replaceString: '$12' }, 'a'), ['a2']);
  });

  test('a replacement naming a group the pattern lacks is refused at load time, on replaceString', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Java's replacement syntax, not a template
    for (const replaceString of ['$2', '${nope}', 'cost: $', 'trailing \\']) {
      const { errors } = problems({ i1: { type: 'search_replace', searchPattern: '(a)', replaceString } });
      assert.equal(errors.length, 1, replaceString);
      assert.equal(errors[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
      assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.replaceString');
      assert.equal(errors[0]!.line, 9);
    }
  });

  test('searchPattern is required', () => {
    const { errors } = problems({ i1: { type: 'search_replace' } });
    assert.deepEqual(errors.map((e) => [e.code, e.key]), [['SLUICE_CONFIG_MISSING_KEY', 'a1.sources.r1.interceptors.i1.searchPattern']]);
  });

  test('the body is decoded and re-encoded as UTF-8 by default', async () => {
    assert.deepEqual(await replace({ searchPattern: 'é', replaceString: 'e' }, 'café'), ['cafe']);
  });

  test('charset = ISO-8859-1 works on Latin-1 bytes, and a character it cannot hold becomes "?"', async () => {
    const i = await build('search_replace', { searchPattern: 'caf\\xE9', replaceString: 'café €', charset: 'iso-8859-1' });
    const [e] = i.intercept([{ headers: {}, body: Buffer.from([0x63, 0x61, 0x66, 0xe9]) }]);
    assert.deepEqual([...e!.body], [0x63, 0x61, 0x66, 0xe9, 0x20, 0x3f]);
  });

  test('charset US-ASCII and UTF-16LE are supported, others are refused', async () => {
    const ascii = await build('search_replace', { searchPattern: 'x', replaceString: 'y', charset: 'US-ASCII' });
    assert.equal(ascii.intercept([ev('xé')])[0]!.body.toString('latin1'), 'y??');
    const utf16 = await build('search_replace', { searchPattern: 'x', replaceString: 'y', charset: 'UTF-16LE' });
    assert.equal(utf16.intercept([{ headers: {}, body: Buffer.from('xé', 'utf16le') }])[0]!.body.toString('utf16le'), 'yé');
    const { errors } = problems({ i1: { type: 'search_replace', searchPattern: 'x', charset: 'EBCDIC' } });
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
    assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.charset');
  });

  test('a body with no match keeps its bytes untouched', async () => {
    const i = await build('search_replace', { searchPattern: 'zzz' });
    const body = Buffer.from([0xff, 0x61]);
    assert.equal(i.intercept([{ headers: {}, body }])[0]!.body, body);
  });
});
