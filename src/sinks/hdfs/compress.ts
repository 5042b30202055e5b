/**
 * The Hadoop compression codecs `hdfs.codeC` can name, for CompressedStream files and SequenceFile
 * blocks. Names match as Flume matches them (HDFSEventSink.getCodec): the class's simple name or the
 * same without `Codec`, any case, or the full class name. Each flush becomes one complete stream (a
 * gzip member, a zlib stream), as Hadoop's codec stream is finished at every Flume flush; Hadoop's
 * readers continue across concatenated streams.
 * Deviation: bzip2, lz4, lzo, snappy and zstd are refused at load time (no library does Hadoop's
 * framing of them on Node 20).
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { SluiceError } from '../../errors.ts';

export interface Codec {
  /** Hadoop's class name, written into SequenceFile headers. */
  readonly className: string;
  /** Hadoop's default file extension, added to file names unless hdfs.fileSuffix is set. */
  readonly extension: string;
  compress(raw: Buffer): Buffer;
}

const codecs: readonly Codec[] = [
  { className: 'org.apache.hadoop.io.compress.GzipCodec', extension: '.gz', compress: (b) => gzipSync(b) },
  { className: 'org.apache.hadoop.io.compress.DefaultCodec', extension: '.deflate', compress: (b) => deflateSync(b) },
  { className: 'org.apache.hadoop.io.compress.DeflateCodec', extension: '.deflate', compress: (b) => deflateSync(b) },
];

const known = ['BZip2Codec', 'Lz4Codec', 'LzoCodec', 'LzopCodec', 'SnappyCodec', 'ZStandardCodec', 'PassthroughCodec'];

function matches(className: string, name: string): boolean {
  const simple = className.slice(className.lastIndexOf('.') + 1);
  const l = name.toLowerCase();
  return name === className || l === simple.toLowerCase() || l === simple.slice(0, -'Codec'.length).toLowerCase();
}

/** The codec `hdfs.codeC` names; undefined for none. Throws a config error for one Sluice lacks. */
export function codecFor(name: string | undefined): Codec | undefined {
  if (name === undefined || name.toLowerCase() === 'none') return undefined;
  const found = codecs.find((c) => matches(c.className, name));
  if (found) return found;
  const other = known.find((simple) => matches(`org.apache.hadoop.io.compress.${simple}`, name));
  throw new SluiceError(
    'SLUICE_CONFIG_UNSUPPORTED',
    other
      ? `hdfs.codeC "${name}" (${other}) is not implemented by Sluice; use gzip or deflate.`
      : `hdfs.codeC "${name}" is not a Hadoop codec; use gzip, deflate (alias default) or none.`,
  );
}
