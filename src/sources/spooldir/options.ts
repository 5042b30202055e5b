/**
 * The spooldir option table (Flume's SpoolDirectorySourceConfigurationConstants, same keys and
 * defaults) and what it resolves to: absolute directories, charsets and the deserializer factory.
 * Charset names, which the table cannot check, are checked here and refused with a configuration
 * error naming the key.
 */
import { isAbsolute, resolve } from 'node:path';
import { type OptionsOf, opt } from '../../config/schema.ts';
import type { Headers } from '../../core/event.ts';
import { ConfigError } from '../../errors.ts';
import { AvroFileReader } from './avro-reader.ts';
import { BlobReader } from './blob-reader.ts';
import { inputCharset, outputCharset, supportedCharsets } from './charset.ts';
import type { DeserializerFactory } from './deserializer.ts';
import { LineReader } from './line-reader.ts';

const LINE = 'org.apache.flume.serialization.LineDeserializer$Builder';
const AVRO = 'org.apache.flume.serialization.AvroEventDeserializer$Builder';
const BLOB = 'org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder';

export const spoolDirOptions = {
  spoolDir: opt.string('Directory whose files are read; each must be complete and immutable once it appears there.', { required: true }),
  fileSuffix: opt.string('Appended to a file name once the file is fully delivered (trackingPolicy rename); files ending with it are never read.', { default: '.COMPLETED' }),
  deletePolicy: opt.enum('`immediate` deletes a file once fully delivered; `never` keeps it (see trackingPolicy).', ['never', 'immediate'], { default: 'never' }),
  trackingPolicy: opt.enum('With deletePolicy never: `rename` adds fileSuffix, `tracker_dir` leaves the file and records it in trackerDir.', ['rename', 'tracker_dir'], { default: 'rename' }),
  trackerDir: opt.string('Directory for read positions and tracker_dir markers; relative to spoolDir unless absolute.', { default: '.flumespool' }),
  fileHeader: opt.bool('Add a header with the absolute path of the file.', { default: false }),
  fileHeaderKey: opt.string('Name of the absolute-path header.', { default: 'file' }),
  basenameHeader: opt.bool('Add a header with the file name.', { default: false }),
  basenameHeaderKey: opt.string('Name of the file-name header.', { default: 'basename' }),
  includePattern: opt.regex('Java regex a file name must match as a whole to be read.', { default: '^.*$', fullMatch: true }),
  ignorePattern: opt.regex('Java regex (whole name) of files and, when recursive, sub-directories to skip; wins over includePattern.', { default: '^$', fullMatch: true }),
  consumeOrder: opt.enum('Which file next: `oldest` or `youngest` by modification time (ties: smaller name), or `random`.', ['oldest', 'youngest', 'random'], { default: 'oldest' }),
  pollDelay: opt.int('Milliseconds between directory scans when there is nothing to read.', { default: 500, min: 1 }),
  recursiveDirectorySearch: opt.bool('Also read files in sub-directories (names starting with `.` are skipped).', { default: false }),
  maxBackoff: opt.int('Longest wait in ms between retries of a batch the channel refused (the wait starts at 250 ms and doubles).', { default: 4000, min: 1 }),
  batchSize: opt.int('Events per channel transaction.', { default: 100, min: 1 }),
  inputCharset: opt.string(`Charset of the files for LINE: ${supportedCharsets.join(', ')}.`, { default: 'UTF-8' }),
  decodeErrorPolicy: opt.enum('Bytes invalid in inputCharset: FAIL stops on the file (it is left in place), REPLACE writes U+FFFD, IGNORE drops them.', ['FAIL', 'REPLACE', 'IGNORE'], { default: 'FAIL' }),
  deserializer: opt.enum('LINE (one event per line), AVRO (one per record of an Avro container file) or BLOB (the whole file), or the Flume builder class.', ['LINE', 'AVRO', 'BLOB', LINE, AVRO, BLOB], { default: 'LINE' }),
  'deserializer.maxLineLength': opt.int('LINE: most characters per event; a longer line is split into several events.', { default: 2048, min: 1 }),
  'deserializer.outputCharset': opt.string('LINE: charset of the event bodies.', { default: 'UTF-8' }),
  'deserializer.schemaType': opt.enum('AVRO: HASH puts the schema fingerprint in header flume.avro.schema.hash, LITERAL the schema in flume.avro.schema.literal.', ['HASH', 'LITERAL'], { default: 'HASH' }),
  'deserializer.maxBlobLength': opt.int('BLOB: most bytes per event; a longer file continues in the next event.', { default: 100000000, min: 1 }),
  bufferMaxLineLength: opt.int('Deprecated: with the LINE deserializer, replaces deserializer.maxLineLength.', { min: 1 }),
  bufferMaxLines: opt.unsupported('Deprecated and ignored by Flume too.'),
};

export type SpoolDirOptions = OptionsOf<typeof spoolDirOptions>;

export type Retire = 'rename' | 'tracker_dir' | 'delete';

export interface SpoolDirConfig {
  spoolDir: string;
  trackerDir: string;
  suffix: string;
  retire: Retire;
  include: RegExp;
  ignore: RegExp;
  order: 'oldest' | 'youngest' | 'random';
  pollDelayMs: number;
  recursive: boolean;
  maxBackoffMs: number;
  batchSize: number;
  /** Builds the headers of each event of one file. */
  headers: (path: string, basename: string) => () => Headers;
  kind: DeserializerKind;
  deserializer: (size: number) => DeserializerFactory;
}

function charset<C>(key: string, name: string, find: (n: string) => C | undefined): C {
  const c = find(name);
  if (!c) throw new ConfigError('SLUICE_CONFIG_BAD_VALUE', `expected one of the charsets ${supportedCharsets.join(', ')}`, { key, value: name });
  return c;
}

function headerFactory(o: SpoolDirOptions): SpoolDirConfig['headers'] {
  const fileKey = o.fileHeader ? o.fileHeaderKey : undefined;
  const baseKey = o.basenameHeader ? o.basenameHeaderKey : undefined;
  return (path, basename) => {
    if (fileKey !== undefined && baseKey !== undefined) return () => ({ [fileKey]: path, [baseKey]: basename });
    if (fileKey !== undefined) return () => ({ [fileKey]: path });
    if (baseKey !== undefined) return () => ({ [baseKey]: basename });
    return () => ({});
  };
}

export type DeserializerKind = 'LINE' | 'AVRO' | 'BLOB';

function deserializerKind(o: SpoolDirOptions): DeserializerKind {
  const d = o.deserializer;
  return d === LINE ? 'LINE' : d === AVRO ? 'AVRO' : d === BLOB ? 'BLOB' : d;
}

function deserializerFactory(o: SpoolDirOptions, kind: DeserializerKind): SpoolDirConfig['deserializer'] {
  if (kind === 'AVRO') return () => (ctx) => new AvroFileReader(ctx, o['deserializer.schemaType']).init();
  if (kind === 'BLOB') return (size) => async (ctx) => new BlobReader(ctx, o['deserializer.maxBlobLength'], size);
  const line = {
    input: charset('inputCharset', o.inputCharset, inputCharset),
    output: charset('deserializer.outputCharset', o['deserializer.outputCharset'], outputCharset),
    maxLineLength: o.bufferMaxLineLength ?? o['deserializer.maxLineLength'],
    policy: o.decodeErrorPolicy,
  };
  return () => async (ctx) => new LineReader(ctx, line);
}

export function resolveOptions(o: SpoolDirOptions, maxBatch: number): SpoolDirConfig {
  const spoolDir = resolve(o.spoolDir);
  const kind = deserializerKind(o);
  return {
    spoolDir,
    trackerDir: isAbsolute(o.trackerDir) ? o.trackerDir : resolve(spoolDir, o.trackerDir),
    suffix: o.fileSuffix,
    retire: o.deletePolicy === 'immediate' ? 'delete' : o.trackingPolicy,
    include: o.includePattern,
    ignore: o.ignorePattern,
    order: o.consumeOrder,
    pollDelayMs: o.pollDelay,
    recursive: o.recursiveDirectorySearch,
    maxBackoffMs: o.maxBackoff,
    batchSize: Math.min(o.batchSize, maxBatch),
    headers: headerFactory(o),
    kind,
    deserializer: deserializerFactory(o, kind),
  };
}
