import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions, type RawValue } from '../../../../src/config/schema.ts';
import { makeEvent } from '../../../../src/core/event.ts';
import { createSerializer, serializerConfig, serializerOptions } from '../../../../src/sinks/util/serializers/index.ts';

const table = serializerOptions('sink.serializer');

function parse(props: Record<string, string>) {
  const raw = new Map<string, RawValue>(Object.entries(props).map(([k, v]) => [k, { value: v }]));
  return parseOptions(table, raw);
}

test('the serializer keys sit under the given prefix with Flume defaults', () => {
  const { options, errors } = parse({});
  assert.deepEqual(errors, []);
  assert.deepEqual(serializerConfig(options, 'sink.serializer'), { kind: 'text', appendNewline: true, syncIntervalBytes: 2048000, compressionCodec: 'null' });
  assert.deepEqual(Object.keys(serializerOptions('serializer')), ['serializer', 'serializer.appendNewline', 'serializer.syncIntervalBytes', 'serializer.compressionCodec']);
});

test('types are matched by alias in any case and by the $Builder class names', () => {
  const kinds = [
    ['text', 'text'],
    ['Header_And_Text', 'header_and_text'],
    ['AVRO_EVENT', 'avro_event'],
    ['org.apache.flume.serialization.BodyTextEventSerializer$Builder', 'text'],
    ['org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder', 'header_and_text'],
    ['org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder', 'avro_event'],
  ];
  for (const [type, kind] of kinds) {
    const { options, errors } = parse({ 'sink.serializer': type! });
    assert.deepEqual(errors, [], type);
    assert.equal(serializerConfig(options, 'sink.serializer').kind, kind, type);
  }
});

test('sub-options are parsed and checked by the table', () => {
  const { options, errors } = parse({
    'sink.serializer': 'avro_event',
    'sink.serializer.appendNewline': 'false',
    'sink.serializer.syncIntervalBytes': '4096',
    'sink.serializer.compressionCodec': 'Deflate',
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(serializerConfig(options, 'sink.serializer'), { kind: 'avro_event', appendNewline: false, syncIntervalBytes: 4096, compressionCodec: 'deflate' });
});

test('an unknown type, a bad value and an unknown sub-key are load errors naming the key', () => {
  const { errors } = parse({
    'sink.serializer': 'com.example.MySerializer$Builder',
    'sink.serializer.compressionCodec': 'bzip2',
    'sink.serializer.syncIntervalBytes': '16',
    'sink.serializer.appendNewLine': 'false',
  });
  const byKey = Object.fromEntries(errors.map((e) => [e.key, e]));
  assert.equal(byKey['sink.serializer']?.code, 'SLUICE_CONFIG_BAD_VALUE');
  assert.match(byKey['sink.serializer']!.expected, /TEXT, HEADER_AND_TEXT, AVRO_EVENT/);
  assert.match(byKey['sink.serializer.compressionCodec']!.expected, /one of null, deflate, snappy/);
  assert.match(byKey['sink.serializer.syncIntervalBytes']!.expected, /from 32/);
  assert.equal(byKey['sink.serializer.appendNewLine']?.code, 'SLUICE_CONFIG_UNKNOWN_KEY');
  assert.match(byKey['sink.serializer.appendNewLine']!.expected, /did you mean "sink.serializer.appendNewline"/);
});

test('createSerializer builds the configured kind', () => {
  const e = [makeEvent('b', { a: '1' })];
  const base = { appendNewline: true, syncIntervalBytes: 2048000, compressionCodec: 'null' as const };
  assert.equal(createSerializer({ ...base, kind: 'text' }).encode(e).toString(), 'b\n');
  assert.equal(createSerializer({ ...base, kind: 'header_and_text' }).encode(e).toString(), '{a=1} b\n');
  const avro = createSerializer({ ...base, kind: 'avro_event' });
  assert.equal(avro.supportsReopen, false);
  assert.equal(avro.header()?.subarray(0, 4).toString('latin1'), 'Obj\x01');
});
