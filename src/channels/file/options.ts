/** The file channel's keys (flume-config.md §5.3) and their conversion to a checked configuration. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type OptionProblem, type OptionsOf, opt } from '../../config/schema.ts';
import type { ComponentContext } from '../../core/component.ts';
import { ConfigError, ConfigErrors } from '../../errors.ts';

const MAX_FILE_SIZE = 2146435071;
const MIN_REQUIRED_SPACE = 1 << 20;
const DEFAULT_CHECKPOINT_INTERVAL = 30000;

export const fileChannelOptions = {
  checkpointDir: opt.string('Directory of the checkpoint. Default: ~/.flume/file-channel/checkpoint.'),
  dataDirs: opt.list('Comma-separated directories of the data files; new files rotate over them. Default: ~/.flume/file-channel/data.', { separator: ',' }),
  useDualCheckpoints: opt.bool('Also keep a copy of each checkpoint in backupCheckpointDir, used when the main one is lost or damaged.', { default: false }),
  backupCheckpointDir: opt.string('Directory of the backup checkpoint; required with useDualCheckpoints, and must differ from checkpointDir.'),
  capacity: opt.int('Most events the channel holds.', { default: 1000000, min: 1 }),
  transactionCapacity: opt.int('Most events one put or take transaction may carry.', { default: 10000, min: 1 }),
  checkpointInterval: opt.int('Milliseconds between checkpoints, which bound restart time; ≤ 0 means the default.', { default: DEFAULT_CHECKPOINT_INTERVAL }),
  maxFileSize: opt.int(`Bytes after which a data file is closed and the next one started (at most ${MAX_FILE_SIZE}).`, { default: MAX_FILE_SIZE, min: 1 }),
  minimumRequiredSpace: opt.int('Free bytes below which puts are refused (at least 1 MiB); takes go on.', { default: 524288000, min: 0 }),
  'keep-alive': opt.int('Seconds a put commit waits for room before failing with SLUICE_CHANNEL_FULL.', { default: 3, min: 0 }),
  checkpointOnClose: opt.bool('Write a checkpoint when the channel stops, so the next start replays nothing.', { default: true }),
  fsyncPerTransaction: opt.bool('fdatasync every commit (shared by concurrent commits). false: data survives a process crash but not a power loss.', { default: true }),
  fsyncInterval: opt.int('With fsyncPerTransaction = false, seconds between background fdatasyncs.', { default: 5, min: 1 }),
  compressBackupCheckpoint: opt.unsupported('the backup checkpoint is written uncompressed (it is small: 24 bytes per queued batch).'),
  'use-log-replay-v1': opt.unsupported("selects Flume's old replay algorithm; Sluice has one replay."),
  'use-fast-replay': opt.unsupported("selects Flume's replay without a checkpoint; Sluice replays all data files whenever the checkpoint is unusable."),
  'checkpoint-timeout': opt.unsupported('deprecated; Flume ignores it too.'),
  'write-timeout': opt.unsupported('deprecated; Flume ignores it too.'),
  encryption: opt.prefix('Not supported: any encryption.* key is a configuration error, since the data files would be written in clear text.'),
};

export type FileChannelOptions = OptionsOf<typeof fileChannelOptions>;

export interface FileChannelConfig {
  checkpointDir: string;
  backupCheckpointDir: string | undefined;
  dataDirs: string[];
  capacity: number;
  transactionCapacity: number;
  checkpointIntervalMs: number;
  maxFileSize: number;
  minimumRequiredSpace: number;
  keepAliveMs: number;
  checkpointOnClose: boolean;
  fsyncPerTransaction: boolean;
  fsyncIntervalMs: number;
}

/**
 * What the option table cannot check: encryption (refused, since writing clear text where encryption
 * was configured would be wrong), the backup checkpoint directory, and directories named twice.
 * Keys are relative to the channel, as the loader reports them with file and line.
 */
export function fileChannelProblems(o: FileChannelOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const encryption = Object.keys(o.encryption);
  if (encryption.length > 0) {
    problems.push({
      code: 'SLUICE_CONFIG_UNSUPPORTED',
      key: `encryption.${encryption[0]}`,
      expected: "is not supported: Sluice's file channel cannot encrypt its data files, and writing the events in clear text instead would be wrong. Remove the encryption.* keys (and encrypt the disk instead), or keep this channel on Apache Flume",
    });
  }
  if (o.useDualCheckpoints && o.backupCheckpointDir === undefined) {
    problems.push({ code: 'SLUICE_CONFIG_MISSING_KEY', key: 'backupCheckpointDir', expected: 'is required when useDualCheckpoints is true' });
  }
  const dirs = directories(o);
  const repeated = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (repeated) {
    problems.push({ code: 'SLUICE_CONFIG_BAD_VALUE', key: 'dataDirs', expected: `names directory "${repeated}" twice: checkpointDir, backupCheckpointDir and each of dataDirs must be different directories` });
  }
  return problems;
}

/** checkpointDir, backupCheckpointDir (with useDualCheckpoints), then dataDirs, resolved, defaults applied. */
function directories(o: FileChannelOptions): string[] {
  const home = join(homedir(), '.flume', 'file-channel');
  const checkpoint = resolve(o.checkpointDir ?? join(home, 'checkpoint'));
  const backup = o.useDualCheckpoints && o.backupCheckpointDir !== undefined ? [resolve(o.backupCheckpointDir)] : [];
  const data = (o.dataDirs?.length ? o.dataDirs : [join(home, 'data')]).map((d) => resolve(d));
  return [checkpoint, ...backup, ...data];
}

/** The channel's settings; refuses the options fileChannelProblems() objects to, for callers that skip the loader. */
export function fileChannelConfig(o: FileChannelOptions, ctx: Pick<ComponentContext, 'agent' | 'name'>): FileChannelConfig {
  const problems = fileChannelProblems(o);
  if (problems.length > 0) {
    throw new ConfigErrors(problems.map((p) => new ConfigError(p.code, p.expected, { key: `${ctx.agent}.channels.${ctx.name}.${p.key}` })));
  }
  const dirs = directories(o);
  const backups = o.useDualCheckpoints ? 1 : 0;
  return {
    checkpointDir: dirs[0]!,
    backupCheckpointDir: backups ? dirs[1] : undefined,
    dataDirs: dirs.slice(1 + backups),
    capacity: o.capacity,
    transactionCapacity: o.transactionCapacity,
    checkpointIntervalMs: o.checkpointInterval > 0 ? o.checkpointInterval : DEFAULT_CHECKPOINT_INTERVAL,
    maxFileSize: Math.min(o.maxFileSize, MAX_FILE_SIZE),
    minimumRequiredSpace: Math.max(o.minimumRequiredSpace, MIN_REQUIRED_SPACE),
    keepAliveMs: o['keep-alive'] * 1000,
    checkpointOnClose: o.checkpointOnClose,
    fsyncPerTransaction: o.fsyncPerTransaction,
    fsyncIntervalMs: o.fsyncInterval * 1000,
  };
}
