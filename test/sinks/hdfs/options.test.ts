import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from '../../../src/config/schema.ts';
import { hdfsSink } from '../../../src/sinks/hdfs/index.ts';
import { options, settings, splitPath } from '../../../src/sinks/hdfs/options.ts';
import { problems } from '../../helpers/configure.ts';

const base = { 'hdfs.path': 'hdfs://nn1:8020/flume/%Y' };

function resolved(props: Record<string, string>) {
  const parsed = parseOptions(options, new Map(Object.entries({ ...base, ...props }).map(([k, value]) => [k, { value }])));
  assert.deepEqual(parsed.errors, []);
  return settings(parsed.options);
}

describe('hdfs sink options', () => {
  it("maps Flume's hdfs:// path to the NameNode's default WebHDFS port unless hdfs.webhdfs.url says otherwise", () => {
    assert.deepEqual(splitPath('hdfs://nn1:8020/flume/%Y', undefined), { endpoints: ['http://nn1:9870'], dir: '/flume/%Y' });
    assert.deepEqual(splitPath('hdfs://nn1:8020/flume', ['http://a:1', 'http://b:2']), { endpoints: ['http://a:1', 'http://b:2'], dir: '/flume' });
    assert.deepEqual(splitPath('swebhdfs://nn1:9871/x', undefined), { endpoints: ['https://nn1:9871'], dir: '/x' });
    assert.throws(() => splitPath('/flume', undefined), /hdfs.webhdfs.url: is required/);
    assert.throws(() => splitPath('flume/rel', ['http://a:1']), /absolute path/);
  });

  it("keeps Flume's defaults: SequenceFile, rolls every 30 s, 1024 bytes or 10 events, .tmp while open", () => {
    const s = resolved({});
    assert.equal(s.fileType, 'SequenceFile');
    assert.deepEqual([s.rollIntervalMs, s.rollSize, s.rollCount, s.batchSize], [30_000, 1024, 10, 100]);
    assert.deepEqual([s.filePrefix, s.fileSuffix, s.inUseSuffix], ['FlumeData', '', '.tmp']);
    assert.equal(s.retryIntervalMs, 180_000);
  });

  it('adds the codec extension unless hdfs.fileSuffix is set, and drops the in-use suffix with emptyInUseSuffix', () => {
    assert.equal(resolved({ 'hdfs.fileType': 'CompressedStream', 'hdfs.codeC': 'gzip' }).fileSuffix, '.gz');
    assert.equal(resolved({ 'hdfs.fileType': 'CompressedStream', 'hdfs.codeC': 'gzip', 'hdfs.fileSuffix': '.log.gz' }).fileSuffix, '.log.gz');
    assert.equal(resolved({ 'hdfs.emptyInUseSuffix': 'true' }).inUseSuffix, '');
  });

  it('refuses the combinations Flume refuses, naming the key to fix', () => {
    assert.throws(() => resolved({ 'hdfs.fileType': 'DataStream', 'hdfs.codeC': 'gzip' }), /hdfs.codeC = "gzip": DataStream files are not compressed/);
    assert.throws(() => resolved({ 'hdfs.fileType': 'CompressedStream' }), /hdfs.codeC: is required/);
    assert.throws(() => resolved({ 'hdfs.writeFormat': 'text' }), /case-sensitive/);
    assert.throws(() => resolved({ 'hdfs.round': 'true', 'hdfs.roundUnit': 'hour', 'hdfs.roundValue': '25' }), /1 to 24/);
  });

  it('warns about the Flume keys Sluice does not implement', () => {
    const found = problems(hdfsSink, { ...base, 'hdfs.kerberosPrincipal': 'flume@X', 'hdfs.minBlockReplicas': '1' });
    assert.deepEqual(found.map((p) => [p.code, p.key]), [
      ['SLUICE_CONFIG_UNSUPPORTED', 'hdfs.minBlockReplicas'],
      ['SLUICE_CONFIG_UNSUPPORTED', 'hdfs.kerberosPrincipal'],
    ]);
  });
});
