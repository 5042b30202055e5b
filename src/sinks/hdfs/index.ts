/**
 * `hdfs` sink (org.apache.flume.sink.hdfs.HDFSEventSink), writing through WebHDFS: Flume's keys,
 * escapes, rolling, file types (SequenceFile, DataStream, CompressedStream) and serializers.
 * Files: options.ts (keys), sink.ts (routing, rolling, group commit), bucket-writer.ts (one file's
 * writes and close), recover.ts (in-use files left by a crash), path.ts (escapes),
 * sequence-file.ts, compress.ts, webhdfs.ts (the REST client).
 *
 * Deviations from Flume:
 * - Writes go through WebHDFS, not Hadoop's RPC client: `hdfs://host:port/dir` is written through
 *   `http://host:9870` unless `hdfs.webhdfs.url` names the endpoints (with failover); no Kerberos.
 * - Each write is a whole HDFS append; while one runs, the next transactions gather into the next
 *   (`hdfs.batchesPerWrite`). Each transaction still commits only once its data is in HDFS.
 * - A failed or unanswered write closes its file at the last confirmed length (cut back if needed)
 *   and the batch is retried in a new file, so nothing is written twice into a file.
 * - In-use files a crash left are cut back to their last confirmed length (xattr
 *   `user.sluice.length`) and renamed at the next start (retried every `hdfs.retryInterval` while a
 *   dead writer's lease still holds them); Flume leaves them as `.tmp` for good.
 * - An event without a usable `timestamp` header, where the path needs one, fails its transaction
 *   with an error naming the header, or goes to `hdfs.fallbackPath` if set; Flume fails it silently
 *   and forever.
 * - Codecs: gzip and deflate. Files never roll on under-replication (`hdfs.minBlockReplicas`).
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
