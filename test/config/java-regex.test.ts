import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { javaRegex } from '../../src/config/java-regex.ts';

/** [Java pattern, input, whether Java's Matcher.find() succeeds] */
const finds: [string, string, boolean][] = [
  ['foo$', 'foo\n', true],
  ['foo$', 'foo\r\n', true],
  ['foo$', 'foo\n\n', false],
  ['foo\\z', 'foo\n', false],
  ['foo\\Z', 'foo\n', true],
  ['\\Afoo', 'xfoo', false],
  ['a.c', 'a\u0085c', false],
  ['(?s)a.c', 'a\nc', true],
  ['(?m)^b$', 'a\nb\nc', true],
  ['(?m)^b', 'a\r\nb', true],
  ['(?i)ERROR', 'an error', true],
  ['\\s', '\u00a0', false],
  ['\\S', '\u00a0', true],
  ['[\\s\\S]', '\u00a0', true],
  ['\\h', '\u2003', true],
  ['\\v', '\u2028', true],
  ['\\R', '\r\n', true],
  ['\\Qa.b\\E', 'axb', false],
  ['\\Qa.b\\E', 'a.b', true],
  ['[\\Q]-\\E]', '-', true],
  ['[]a]', ']', true],
  ['a}b]', 'a}b]', true],
  ['\\_\\-\\"\\#', '_-"#', true],
  ['\\p{Alpha}+\\p{Digit}', 'ab1', true],
  ['\\p{Punct}', '~', true],
  ['\\P{Alnum}', 'abc', false],
  ['\\p{IsLatin}', 'é', true],
  ['\\p{IsGreek}', 'λ', true],
  ['\\pL', 'λ', true],
  ['\\p{Lu}', 'a', false],
  ['\\x{1F600}', '😀', true],
  ['\\0101\\x42\\u0043', 'ABC', true],
  ['\\cA', '\u0001', true],
  ['(a)\\12', 'aa2', true],
  ['(?<y>\\d{2})-\\k<y>', '12-12', true],
  ['a{2,}b', 'aaab', true],
];

const refused: [string, RegExp][] = [
  ['a*+', /possessive/],
  ['a{2}+', /possessive/],
  ['(?>a)', /atomic/],
  ['a(?i)b', /inline flags are supported only at the very start/],
  ['(?i:a)', /inline flags/],
  ['(?x) a', /\(\?x\)/],
  ['[a-z&&[^b]]', /intersection/],
  ['[a[b]]', /nested/],
  ['\\p{InGreek}', /blocks/],
  ['\\p{javaLowerCase}', /java/],
  ['\\G', /\\G is not supported/],
  ['a{', /repetition/],
  ['[abc', /not closed/],
  ['abc\\', /lone backslash/],
  ['(a', /Unterminated group/],
  ['[\\H]', /inside a character class/],
];

describe('Java regular expressions', () => {
  for (const [java, input, expected] of finds) {
    test(`${JSON.stringify(java)} ${expected ? 'finds' : 'does not find'} a match in ${JSON.stringify(input)}, as in Java`, () => {
      assert.equal(javaRegex(java).test(input), expected);
    });
  }

  for (const [java, why] of refused) {
    test(`${JSON.stringify(java)} is refused with a reason`, () => {
      assert.throws(() => javaRegex(java), (err: Error & { code?: string }) => err.code === 'SLUICE_CONFIG_BAD_VALUE' && why.test(err.message));
    });
  }

  test('fullMatch anchors the whole pattern, alternatives included (Matcher.matches)', () => {
    const re = javaRegex('a|tmp.*', { fullMatch: true });
    assert.deepEqual(['a', 'tmp1', 'xa', 'atmp', 'ab'].map((s) => re.test(s)), [true, true, false, false, false]);
  });

  test('global compiles for replace-all', () => {
    assert.equal('a1b2'.replace(javaRegex('\\d', { global: true }), '#'), 'a#b#');
  });
});
