/**
 * Flume's event serializers (org.apache.flume.serialization), shared by the sinks that write files
 * (`file_roll`, `hdfs`). A serializer turns a whole batch into one Buffer; one instance serves one
 * output file, so create a new one for every file opened.
 *
 * A sink declares the serializer keys under its own prefix (`sink.serializer` for file_roll,
 * `serializer` for hdfs) by spreading `serializerOptions(prefix)` into its option table, and reads
 * them back with `serializerConfig(options, prefix)`. Types are Flume's aliases (any case) or the
 * `$Builder` class names; custom serializer classes are refused at load time.
 */
import { type OptionSpec, type OptionsOf, opt } from '../../../config/schema.ts';
import type { Event } from '../../../core/event.ts';
import { type AvroCodec, AvroEventSerializer, avroCodecs } from './avro-event.ts';
import { BodyTextSerializer, HeaderAndTextSerializer } from './text.ts';

export interface EventSerializer {
  /** Bytes that open a new file (the Avro container header), or undefined. */
  header(): Buffer | undefined;
  /** The bytes of one batch, to be written after the header and the earlier batches. */
  encode(events: readonly Event[]): Buffer;
  /** Whether more batches may be appended to a closed file later (Flume's `supportsReopen`). */
  readonly supportsReopen: boolean;
}

export type SerializerKind = 'text' | 'header_and_text' | 'avro_event';

const names: Record<string, SerializerKind> = {
  TEXT: 'text',
  HEADER_AND_TEXT: 'header_and_text',
  AVRO_EVENT: 'avro_event',
  'org.apache.flume.serialization.BodyTextEventSerializer$Builder': 'text',
  'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder': 'header_and_text',
  'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder': 'avro_event',
};
const typeNames = Object.keys(names) as [string, ...string[]];

const subOptions = {
  appendNewline: opt.bool('text, header_and_text: end every event with a newline.', { default: true }),
  syncIntervalBytes: opt.int('avro_event: bytes of records after which a block ends (a batch always ends one).', { default: 2048000, min: 32, max: 2 ** 30 }),
  compressionCodec: opt.enum('avro_event: block compression (bzip2, xz and zstandard are not implemented).', avroCodecs, { default: 'null' }),
};
type SubOptions = typeof subOptions;

export type SerializerOptions<P extends string> = {
  readonly [K in P]: OptionSpec<string>;
} & { readonly [K in keyof SubOptions as `${P}.${K}`]: SubOptions[K] };

/** The serializer's keys under `prefix`: the type itself and its sub-options. */
export function serializerOptions<P extends string>(prefix: P): SerializerOptions<P> {
  const table: Record<string, OptionSpec<unknown>> = {
    [prefix]: opt.enum('Event serializer: text, header_and_text, avro_event, or one of their $Builder class names.', typeNames, { default: 'TEXT' }),
  };
  for (const [key, spec] of Object.entries(subOptions)) table[`${prefix}.${key}`] = spec;
  return table as SerializerOptions<P>;
}

export interface SerializerConfig {
  kind: SerializerKind;
  appendNewline: boolean;
  syncIntervalBytes: number;
  compressionCodec: AvroCodec;
}

export function serializerConfig<P extends string>(options: OptionsOf<SerializerOptions<P>>, prefix: P): SerializerConfig {
  const o = options as unknown as Readonly<Record<string, unknown>>;
  return {
    kind: names[o[prefix] as string]!,
    appendNewline: o[`${prefix}.appendNewline`] as boolean,
    syncIntervalBytes: o[`${prefix}.syncIntervalBytes`] as number,
    compressionCodec: o[`${prefix}.compressionCodec`] as AvroCodec,
  };
}

/** A serializer for one new file. Throws SLUICE_CONFIG_UNSUPPORTED when a codec cannot be loaded. */
export function createSerializer(c: SerializerConfig): EventSerializer {
  switch (c.kind) {
    case 'text':
      return new BodyTextSerializer(c.appendNewline);
    case 'header_and_text':
      return new HeaderAndTextSerializer(c.appendNewline);
    case 'avro_event':
      return new AvroEventSerializer(c.compressionCodec, c.syncIntervalBytes);
  }
}
