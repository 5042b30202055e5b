import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { formatLine } from '../../src/core/log-text.ts';

test('a JSON log line becomes time, level, component and message, then the other fields as key=value', () => {
  const lines: string[] = [];
  const logger = pino({ base: undefined, timestamp: () => ',"time":"2026-11-26T13:58:01.123Z"' }, { write: (l: string) => void lines.push(l) });
  logger.child({ kind: 'sink', name: 'k1', type: 'avro' }).warn({ err: new Error('connect ECONNREFUSED 127.0.0.1:4545'), retryInMs: 500, host: 'agg-1' }, 'Sink delivery failed.');
  logger.info({ files: ['a b.properties'], empty: '' }, 'Started.');
  assert.equal(formatLine(lines[0]!), '2026-11-26T13:58:01.123Z WARN  sink k1 (avro): Sink delivery failed. err="connect ECONNREFUSED 127.0.0.1:4545" retryInMs=500 host=agg-1\n');
  assert.equal(formatLine(lines[1]!), '2026-11-26T13:58:01.123Z INFO  Started. files=["a b.properties"] empty=""\n');
});

test('colour is added only when asked, and a line that is not JSON passes through', () => {
  const line = '{"level":50,"time":"t","msg":"Boom."}';
  assert.equal(formatLine(line), 't ERROR Boom.\n');
  assert.equal(formatLine(line, true), 't \x1b[31mERROR\x1b[0m Boom.\n');
  assert.equal(formatLine('not json'), 'not json');
});
