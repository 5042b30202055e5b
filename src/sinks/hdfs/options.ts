/**
 * The `hdfs` sink's option table, with Flume's keys and defaults (flume-config.md §7.3), and its
 * translation into the settings the writers use. Sluice keys: `hdfs.webhdfs.url` (the WebHDFS
 * endpoints behind `hdfs.path`), `hdfs.fallbackPath` (where events without a usable timestamp go)
 * and `hdfs.batchesPerWrite` (group commit). Cross-key rules Flume checks at configure time are
 * checked here and refused with the key to fix.
 */
import { userInfo } from 'node:os';
import { type OptionsOf, opt } from '../../config/schema.ts';
import { SluiceError } from '../../errors.ts';
import { type SerializerConfig, serializerConfig, serializerOptions } from '../util/serializers/index.ts';
import { type Codec, codecFor } from './compress.ts';
import type { RoundUnit, TimeSettings } from './path.ts';
import type { WriteFormat } from './sequence-file.ts';

export const options = {
  'hdfs.path': opt.string('Directory to write to, with escapes: hdfs://namenode:8020/flume/%Y-%m-%d, or an absolute path.', { required: true }),
  'hdfs.webhdfs.url': opt.list(
    'Sluice: WebHDFS endpoints (NameNode HTTP addresses, http://nn1:9870 https://nn2:9871), tried in order with failover. Default: http://<host of hdfs.path>:9870.',
    { separator: '[\\s,]+' },
  ),
  'hdfs.filePrefix': opt.string('Start of file names; escapes allowed.', { default: 'FlumeData' }),
  'hdfs.fileSuffix': opt.string('End of file names (no dot added); replaces the codec extension.', { default: '' }),
  'hdfs.inUsePrefix': opt.string('Prefix of a file while it is open.', { default: '' }),
  'hdfs.inUseSuffix': opt.string('Suffix of a file while it is open.', { default: '.tmp' }),
  'hdfs.emptyInUseSuffix': opt.bool('true: no in-use suffix at all.', { default: false }),
  'hdfs.rollInterval': opt.int('Seconds after opening a file that it is closed; 0 never.', { default: 30, min: 0 }),
  'hdfs.rollSize': opt.int('Body bytes after which a file is closed; 0 never.', { default: 1024, min: 0 }),
  'hdfs.rollCount': opt.int('Events after which a file is closed; 0 never.', { default: 10, min: 0 }),
  'hdfs.idleTimeout': opt.int('Seconds without a write after which a file is closed; 0 never.', { default: 0, min: 0 }),
  'hdfs.batchSize': opt.int('Events per channel transaction.', { default: 100, min: 1 }),
  'hdfs.batchesPerWrite': opt.int(
    'Sluice: most channel transactions gathered into one WebHDFS write per file (up to 64 MiB) while the previous write runs; each commits once its data is in HDFS. 1: one write per transaction, as Flume flushes. The channel capacity also bounds it.',
    { default: 256, min: 1, max: 4096 },
  ),
  'hdfs.codeC': opt.string('Compression codec: gzip, deflate (alias default) or none.'),
  'hdfs.fileType': opt.enum('File format.', ['SequenceFile', 'DataStream', 'CompressedStream'], { default: 'SequenceFile' }),
  'hdfs.writeFormat': opt.string('SequenceFile value class: Writable (BytesWritable) or Text; case-sensitive as in Flume.', { default: 'Writable' }),
  'hdfs.maxOpenFiles': opt.int('Most files open at once; the least recently used is closed past it.', { default: 5000, min: 1 }),
  'hdfs.callTimeout': opt.int('Milliseconds each WebHDFS request may take.', { default: 30000, min: 1 }),
  'hdfs.closeTries': opt.int('Attempts to close (rename) a file; 0 keeps trying.', { default: 0, min: 0 }),
  'hdfs.retryInterval': opt.int('Seconds between attempts to close a file, and to recover in-use files an earlier run left; 0: one attempt (then at the next start).', { default: 180, min: 0 }),
  'hdfs.proxyUser': opt.string('User to write as (WebHDFS doas).'),
  'hdfs.round': opt.bool('Round event times down before escaping.', { default: false }),
  'hdfs.roundValue': opt.int('Multiple to round down to.', { default: 1, min: 1 }),
  'hdfs.roundUnit': opt.enum('Unit of roundValue.', ['second', 'minute', 'hour'], { default: 'second' }),
  'hdfs.timeZone': opt.string('Time zone of the time escapes (e.g. UTC, America/Los_Angeles); default the process zone.'),
  'hdfs.useLocalTimeStamp': opt.bool('Use the agent clock instead of the timestamp header.', { default: false }),
  'hdfs.fallbackPath': opt.string(
    'Sluice: directory (escapes allowed, the agent clock for times) for events whose timestamp header is missing or not a number; unset, such a batch fails and stays in the channel, logged with the header named.',
  ),
  ...serializerOptions('serializer'),
  'hdfs.minBlockReplicas': opt.unsupported('WebHDFS writes report no replication; files do not roll on under-replication.'),
  'hdfs.threadsPoolSize': opt.unsupported('requests are asynchronous; concurrency is bounded per sink.'),
  'hdfs.rollTimerPoolSize': opt.unsupported('timers need no thread pool.'),
  'hdfs.kerberosPrincipal': opt.unsupported('Kerberos (SPNEGO) is not implemented; use simple authentication or an HttpFS gateway.'),
  'hdfs.kerberosKeytab': opt.unsupported('Kerberos (SPNEGO) is not implemented.'),
  'hdfs.useRawLocalFileSystem': opt.unsupported('only HDFS over WebHDFS is written.'),
};

export type FileType = 'SequenceFile' | 'DataStream' | 'CompressedStream';

export interface HdfsSettings {
  endpoints: string[];
  /** hdfs.path without scheme and authority: the escaped directory template. */
  path: string;
  fallbackPath: string | undefined;
  filePrefix: string;
  /** Suffix plus codec extension. */
  fileSuffix: string;
  inUsePrefix: string;
  inUseSuffix: string;
  rollIntervalMs: number;
  rollSize: number;
  rollCount: number;
  idleTimeoutMs: number;
  batchSize: number;
  batchesPerWrite: number;
  fileType: FileType;
  codec: Codec | undefined;
  writeFormat: WriteFormat;
  serializer: SerializerConfig;
  maxOpenFiles: number;
  callTimeoutMs: number;
  closeTries: number;
  retryIntervalMs: number;
  user: string;
  proxyUser: string | undefined;
  time: TimeSettings;
}

const ROUND_MAX: Record<RoundUnit, number> = { second: 60, minute: 60, hour: 24 };

function bad(key: string, value: string | undefined, expected: string): SluiceError {
  return new SluiceError('SLUICE_CONFIG_BAD_VALUE', `${key}${value === undefined ? '' : ` = "${value}"`}: ${expected}`, { key, value });
}

/** Splits `scheme://authority/dir` into the WebHDFS endpoint it implies and the directory. */
export function splitPath(path: string, urls: readonly string[] | undefined): { endpoints: string[]; dir: string } {
  const m = /^([a-zA-Z][\w+.-]*):\/\/([^/]*)(\/.*)?$/.exec(path);
  const dir = m ? (m[3] ?? '/') : path;
  if (!dir.startsWith('/')) throw bad('hdfs.path', path, 'expected an absolute path (starting with /) or an hdfs:// URI');
  if (urls && urls.length > 0) return { endpoints: [...urls], dir };
  if (!m) throw bad('hdfs.webhdfs.url', undefined, `is required when hdfs.path ("${path}") names no NameNode host`);
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.replace(/:\d+$/, '');
  if (scheme === 'webhdfs' || scheme === 'swebhdfs') return { endpoints: [`${scheme === 'webhdfs' ? 'http' : 'https'}://${m[2]}`], dir };
  if (scheme !== 'hdfs') throw bad('hdfs.path', path, 'expected an hdfs://, webhdfs:// or swebhdfs:// URI');
  return { endpoints: [`http://${host}:9870`], dir };
}

export function settings(o: OptionsOf<typeof options>): HdfsSettings {
  const fileType = o['hdfs.fileType'];
  const codec = codecFor(o['hdfs.codeC']);
  if (fileType === 'DataStream' && codec) throw bad('hdfs.codeC', o['hdfs.codeC'], 'DataStream files are not compressed: use hdfs.fileType = CompressedStream, or remove hdfs.codeC');
  if (fileType === 'CompressedStream' && !codec) throw bad('hdfs.codeC', undefined, 'is required with hdfs.fileType = CompressedStream');
  const writeFormat = o['hdfs.writeFormat'];
  if (writeFormat !== 'Writable' && writeFormat !== 'Text') throw bad('hdfs.writeFormat', writeFormat, 'expected Writable or Text (case-sensitive)');
  const unit = o['hdfs.roundUnit'];
  if (o['hdfs.round'] && o['hdfs.roundValue'] > ROUND_MAX[unit]) throw bad('hdfs.roundValue', String(o['hdfs.roundValue']), `expected 1 to ${ROUND_MAX[unit]} for ${unit}s`);
  const { endpoints, dir } = splitPath(o['hdfs.path'], o['hdfs.webhdfs.url']);
  const fallback = o['hdfs.fallbackPath'] === undefined ? undefined : splitPath(o['hdfs.fallbackPath'], endpoints).dir;
  return {
    endpoints,
    path: dir,
    fallbackPath: fallback,
    filePrefix: o['hdfs.filePrefix'],
    fileSuffix: o['hdfs.fileSuffix'] !== '' ? o['hdfs.fileSuffix'] : (codec?.extension ?? ''),
    inUsePrefix: o['hdfs.inUsePrefix'],
    inUseSuffix: o['hdfs.emptyInUseSuffix'] ? '' : o['hdfs.inUseSuffix'],
    rollIntervalMs: o['hdfs.rollInterval'] * 1000,
    rollSize: o['hdfs.rollSize'],
    rollCount: o['hdfs.rollCount'],
    idleTimeoutMs: o['hdfs.idleTimeout'] * 1000,
    batchSize: o['hdfs.batchSize'],
    batchesPerWrite: o['hdfs.batchesPerWrite'],
    fileType,
    codec,
    writeFormat,
    serializer: serializerConfig(o, 'serializer'),
    maxOpenFiles: o['hdfs.maxOpenFiles'],
    callTimeoutMs: o['hdfs.callTimeout'],
    closeTries: o['hdfs.closeTries'],
    retryIntervalMs: o['hdfs.retryInterval'] * 1000,
    user: userInfo().username,
    proxyUser: o['hdfs.proxyUser'],
    time: {
      timeZone: o['hdfs.timeZone'],
      round: o['hdfs.round'] ? { unit, value: o['hdfs.roundValue'] } : undefined,
      useLocalTimeStamp: o['hdfs.useLocalTimeStamp'],
    },
  };
}
