import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, ev, problems } from './build.ts';

const MILLIS = 'org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer';
const PASS = 'org.apache.flume.interceptor.RegexExtractorInterceptorPassThroughSerializer';
const two = { regex: '(\\d):(\\d)', serializers: 's1 s2', 'serializers.s1.name': 'one', 'serializers.s2.name': 'two' };

describe('regex_extractor interceptor', () => {
  test('puts capture group i into the header of the i-th serializer, from the first match', async () => {
    const i = await build('regex_extractor', two);
    assert.deepEqual(i.intercept([ev('a 1:2 b 3:4', { k: 'v' })])[0]!.headers, { k: 'v', one: '1', two: '2' });
  });

  test('groups beyond the serializers are ignored, and serializers beyond the groups set nothing', async () => {
    const more = await build('regex_extractor', { ...two, regex: '(\\d):(\\d):(\\d)' });
    assert.deepEqual(more.intercept([ev('1:2:3')])[0]!.headers, { one: '1', two: '2' });
    const fewer = await build('regex_extractor', { ...two, regex: '(\\d):\\d' });
    assert.deepEqual(fewer.intercept([ev('1:2')])[0]!.headers, { one: '1' });
  });

  test('a body without a match keeps its headers, and a group that took no part sets none', async () => {
    const i = await build('regex_extractor', { ...two, regex: '(\\d)(?::(\\d))?' });
    const out = i.intercept([ev('none'), ev('7')]);
    assert.deepEqual(out[0]!.headers, {});
    assert.deepEqual(out[1]!.headers, { one: '7' });
  });

  test('decodes the body as UTF-8', async () => {
    const i = await build('regex_extractor', { regex: 'user=(\\p{L}+)', serializers: 'u', 'serializers.u.name': 'user' });
    assert.equal(i.intercept([ev('user=zoë')])[0]!.headers['user'], 'zoë');
  });

  test('type DEFAULT, Flume\'s pass-through class and (unlike Flume) lower-case default all pass the text through', async () => {
    for (const type of ['DEFAULT', 'default', PASS]) {
      const i = await build('regex_extractor', { ...two, 'serializers.s1.type': type });
      assert.equal(i.intercept([ev('5:6')])[0]!.headers['one'], '5', type);
    }
  });

  test('the millis serializer parses its group with a Joda pattern into epoch milliseconds', async () => {
    const i = await build('regex_extractor', {
      regex: '^\\[([^\\]]+)\\] (\\w+)',
      serializers: 'ts level',
      'serializers.ts.name': 'timestamp',
      'serializers.ts.type': MILLIS,
      'serializers.ts.pattern': 'dd/MMM/yyyy:HH:mm:ss Z',
      'serializers.level.name': 'level',
    });
    const [e] = i.intercept([ev('[26/Nov/2026:13:08:00 +0100] WARN disk')]);
    assert.deepEqual(e!.headers, { timestamp: String(Date.UTC(2026, 10, 26, 12, 8)), level: 'WARN' });
  });

  test('a value the millis pattern cannot parse sets no header (Flume would fail the batch) and the rest go on', async () => {
    const i = await build('regex_extractor', { regex: '(\\S+) (\\S+)', serializers: 'd n', 'serializers.d.name': 'date', 'serializers.d.type': MILLIS, 'serializers.d.pattern': 'yyyy-MM-dd', 'serializers.n.name': 'n' });
    const out = i.intercept([ev('2026-13-01 a'), ev('1970-01-02 b')]);
    assert.deepEqual(out[0]!.headers, { n: 'a' });
    assert.equal(out[1]!.headers['date'], String(new Date(1970, 0, 2).getTime()));
  });

  test('regex and serializers are required', () => {
    const { errors } = problems({ i1: { type: 'regex_extractor' } });
    assert.deepEqual(errors.map((e) => [e.code, e.key]).sort(), [
      ['SLUICE_CONFIG_MISSING_KEY', 'a1.sources.r1.interceptors.i1.regex'],
      ['SLUICE_CONFIG_MISSING_KEY', 'a1.sources.r1.interceptors.i1.serializers'],
    ]);
  });

  test('a listed serializer without a name is an error', () => {
    const { errors } = problems({ i1: { type: 'regex_extractor', regex: '(a)', serializers: 's1' } });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_MISSING_KEY');
    assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.serializers.s1.name');
  });

  test('a serializer class other than the two built in is refused with its line', () => {
    const { errors } = problems({ i1: { ...two, type: 'regex_extractor', 'serializers.s1.type': 'com.example.MySerializer' } });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
    assert.equal(errors[0]!.key, 'a1.sources.r1.interceptors.i1.serializers.s1.type');
    assert.equal(errors[0]!.line, 12);
  });

  test('the millis serializer needs a pattern Sluice supports', () => {
    const missing = problems({ i1: { ...two, type: 'regex_extractor', 'serializers.s1.type': MILLIS } }).errors;
    assert.deepEqual(missing.map((e) => [e.code, e.key]), [['SLUICE_CONFIG_MISSING_KEY', 'a1.sources.r1.interceptors.i1.serializers.s1.pattern']]);
    const bad = problems({ i1: { ...two, type: 'regex_extractor', 'serializers.s1.type': MILLIS, 'serializers.s1.pattern': 'EEE yyyy' } }).errors;
    assert.equal(bad[0]!.code, 'SLUICE_CONFIG_BAD_VALUE');
    assert.match(bad[0]!.message, /letter "E" is not supported/);
  });

  test('an unknown key of a listed serializer is an error; keys of an unlisted one are a warning', () => {
    const { errors } = problems({ i1: { ...two, type: 'regex_extractor', 'serializers.s1.nmae': 'x' } });
    assert.equal(errors[0]!.code, 'SLUICE_CONFIG_UNKNOWN_KEY');
    assert.match(errors[0]!.message, /did you mean "name"/);
    const { warnings } = problems({ i1: { ...two, type: 'regex_extractor', 'serializers.s3.name': 'x' } });
    assert.deepEqual(warnings.map((w) => [w.code, w.key]), [['SLUICE_CONFIG_UNKNOWN_COMPONENT', 'a1.sources.r1.interceptors.i1.serializers.s3.name']]);
  });
});
