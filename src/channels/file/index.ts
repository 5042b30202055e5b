/**
 * `file` channel (org.apache.flume.channel.file.FileChannel): a durable queue on local disk. A put or
 * take that returned from commit() survives kill -9, and with fsyncPerTransaction (the default) a power
 * loss too; uncommitted puts never reappear and uncommitted takes do. Concurrent commits share one
 * write and one fdatasync (group commit), a put transaction is one record and a take one list of
 * ranges, so the cost per event is a copy and a checksum, not a sync.
 *
 * The queue index lives in memory (about 100 bytes per queued put batch, not per event); restart
 * reads the last checkpoint (24 bytes per batch) and replays what was written after it, so it takes
 * time in proportion to `checkpointInterval`, not to the backlog.
 *
 * Deliberate deviations from Flume: Sluice's own file format (it refuses, by name, directories that
 * hold Flume's files); one data file is written at a time and new files rotate over `dataDirs`; takes
 * wait up to the sink's idle wait for data instead of returning at once; below `minimumRequiredSpace`
 * only puts fail, takes go on; `encryption.*` is refused as a configuration error.
 */
import { defineChannel } from '../../core/component.ts';
import { FileChannel } from './channel.ts';
import { fileChannelConfig, fileChannelOptions, fileChannelProblems } from './options.ts';

export const fileChannel = defineChannel({
  type: 'file',
  flumeClass: 'org.apache.flume.channel.file.FileChannel',
  description: 'Durable queue on local disk: committed events survive a crash, with group-committed fsyncs.',
  options: fileChannelOptions,
  transactionCapacityKey: 'transactionCapacity',
  capacityKey: 'capacity',
  check: (o) => ({ errors: fileChannelProblems(o), warnings: [] }),
  create: (o, ctx) => new FileChannel(ctx.name, fileChannelConfig(o, ctx), ctx.counter, ctx.logger),
});
