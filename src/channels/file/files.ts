/**
 * Names and directory handling of the file channel. Sluice's files have their own names, so a directory
 * that holds an Apache Flume file channel (whose format Sluice does not read) is recognised and refused
 * instead of being started empty beside the events it holds.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../errors.ts';

export const CHECKPOINT_FILE = 'sluice-checkpoint';
const DATA_FILE = /^sluice-log-(\d+)$/;
const FLUME_DATA_FILE = /^log-\d+$/;
const FLUME_CHECKPOINT_FILES = ['checkpoint.meta', 'inflightputs', 'inflighttakes'];

export function dataFileName(fileId: number): string {
  return `sluice-log-${fileId}`;
}

function flumeData(channel: string, dir: string, file: string): SluiceError {
  return new SluiceError(
    'SLUICE_CONFIG_BAD_VALUE',
    `Channel "${channel}": directory "${dir}" holds an Apache Flume file channel ("${file}"), whose format Sluice does not read. Drain it with Flume first, or point the channel at other directories.`,
  );
}

/** The data files in `dataDirs`, by id. */
export function listDataFiles(channel: string, dataDirs: readonly string[]): Map<number, string> {
  const files = new Map<number, string>();
  for (const dir of dataDirs) {
    for (const name of readdirSync(dir)) {
      const m = DATA_FILE.exec(name);
      if (!m) continue;
      const id = Number(m[1]);
      const other = files.get(id);
      if (other) {
        throw new SluiceError('SLUICE_CHANNEL_CORRUPT', `Channel "${channel}" found data file ${name} twice: "${other}" and "${join(dir, name)}". Remove the copy that does not belong to this channel.`);
      }
      files.set(id, join(dir, name));
    }
  }
  return files;
}

/**
 * Refuses directories that Apache Flume wrote, before anything in them is touched (a lock file
 * included): checkpoint directories by Flume's checkpoint files, data directories by its log files.
 */
export function checkNotFlume(channel: string, checkpointDirs: readonly string[], dataDirs: readonly string[]): void {
  const names = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  for (const dir of checkpointDirs) {
    const flume = FLUME_CHECKPOINT_FILES.find((f) => names(dir).includes(f));
    if (flume) throw flumeData(channel, dir, flume);
  }
  for (const dir of dataDirs) {
    const flume = names(dir).find((f) => FLUME_DATA_FILE.test(f));
    if (flume) throw flumeData(channel, dir, flume);
  }
}
