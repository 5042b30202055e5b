/**
 * `hdfs` sink (org.apache.flume.sink.hdfs.HDFSEventSink), writing through WebHDFS: Flume's keys,
 * escapes, rolling, file types (SequenceFile, DataStream, CompressedStream) and serializers.
 * Files: options.ts (keys), sink.ts (routing, rolling, group commit), bucket-writer.ts (one file's
 * writes and close), recover.ts (in-use files left by a crash), path.ts (escapes),
 * sequence-file.ts, compress.ts, webhdfs.ts (the REST client).
 */
import { defineSink } from '../../core/component.ts';
import { options, settings } from './options.ts';
import { HdfsSink } from './sink.ts';

export const hdfsSink = defineSink({
  type: 'hdfs',
  flumeClass: 'org.apache.flume.sink.hdfs.HDFSEventSink',
  description: 'Writes events into HDFS files through WebHDFS, with Flume\'s path escapes, rolling and file formats.',
  options,
  batchSizeKey: 'hdfs.batchSize',
  create: (o, ctx) => new HdfsSink(ctx, settings(o)),
});
