import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JodaPattern } from '../../../src/interceptors/util/joda-time.ts';

const parse = (pattern: string, text: string) => new JodaPattern(pattern).parse(text);

describe('Joda-Time patterns', () => {
  test('parses the common letters with an offset in the text into exact epoch milliseconds', () => {
    assert.equal(parse('yyyy-MM-dd HH:mm:ss.SSS Z', '2026-11-26 13:08:09.123 +0100'), Date.UTC(2026, 10, 26, 12, 8, 9, 123));
    assert.equal(parse("yyyy-MM-dd'T'HH:mm:ssZZ", '2026-11-26T13:08:09-05:30'), Date.UTC(2026, 10, 26, 18, 38, 9));
    assert.equal(parse('yyyy-MM-dd HH:mm Z', '2026-11-26 13:08 z'), Date.UTC(2026, 10, 26, 13, 8));
    assert.equal(parse('dd/MMM/yyyy:HH:mm:ss Z', '26/Nov/2026:13:08:09 +0000'), Date.UTC(2026, 10, 26, 13, 8, 9));
  });

  test("without an offset the agent's time zone applies, and left-out fields default to 1970-01-01 00:00", () => {
    assert.equal(parse('yyyy-MM-dd HH:mm', '2026-11-26 13:08'), new Date(2026, 10, 26, 13, 8).getTime());
    assert.equal(parse('HH:mm', '13:08'), new Date(1970, 0, 1, 13, 8).getTime());
  });

  test('number fields read one digit up to their width, and a year before a number reads only its width', () => {
    assert.equal(parse('yyyy-M-d Z', '2026-3-7 +0000'), Date.UTC(2026, 2, 7));
    assert.equal(parse('yyyyMMddHHmmss Z', '20261126130809 +0000'), Date.UTC(2026, 10, 26, 13, 8, 9));
  });

  test('S letters read a fraction of a second: "5" for SSS is 500 ms, extra digits beyond the letters are refused', () => {
    assert.equal(parse('ss.SSS Z', '01.5 +0000'), 1500);
    assert.equal(parse('ss.SSS Z', '01.1234 +0000'), undefined);
  });

  test('month names are English, short or full, in any case; h and a give a 12-hour clock', () => {
    assert.equal(parse('MMMM d yyyy Z', 'NOVEMBER 3 2026 +0000'), Date.UTC(2026, 10, 3));
    assert.equal(parse('MMM d yyyy Z', 'sep 3 2026 +0000'), Date.UTC(2026, 8, 3));
    assert.equal(parse('h:mm a Z', '1:08 PM +0000'), Date.UTC(1970, 0, 1, 13, 8));
    assert.equal(parse('h:mm a Z', '12:08 am +0000'), Date.UTC(1970, 0, 1, 0, 8));
  });

  test("yy is a two-digit year within 80 years before and 20 after this one; quoted text is literal", () => {
    const year = new Date().getFullYear();
    const inPast = (year + 20) % 100;
    const got = new Date(parse('yy Z', `${String(inPast).padStart(2, '0')} +0000`)!).getUTCFullYear();
    assert.equal(got, year - 80);
    assert.equal(parse("'at' H 'o''clock' Z", "AT 5 o'clock +0000"), 5 * 3600_000);
  });

  test('text that does not fit, or is not a real date, gives undefined', () => {
    for (const [p, t] of [['yyyy-MM-dd', '2026-02-30'], ['yyyy-MM-dd', '2026-13-01'], ['yyyy-MM-dd', '2026-11-26 extra'], ['HH:mm', '24:00'], ['MMM', 'Nox'], ['Z', '+2400']]) {
      assert.equal(parse(p!, t!), undefined, `${p} / ${t}`);
    }
  });

  test('unsupported letters and unclosed quotes are refused when the pattern is built', () => {
    assert.throws(() => new JodaPattern('EEE, dd MMM'), /letter "E" is not supported/);
    assert.throws(() => new JodaPattern('zzz'), /letter "z" is not supported/);
    assert.throws(() => new JodaPattern("yyyy 'T"), /quote/);
  });
});
