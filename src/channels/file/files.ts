/**
 * Names and directory handling of the file channel. Sluice's files have their own names, so a directory
 * that holds an Apache Flume file channel (whose format Sluice does not read) is recognised and refused
 * instead of being started empty beside the events it holds.
 */
import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../../errors.ts';

export const CHECKPOINT_FILE = 'sluice-checkpoint';
const DATA_FILE = /^sluice-log-(\d+)$/;
const FLUME_DATA_FILE = /^log-\d+$/;
const FLUME_CHECKPOINT_FILES = ['checkpoint.meta', 'inflightputs', 'inflighttakes'];

export function dataFileName(fileId: number): string {
  return `sluice-log-${fileId}`;
}

/** Makes a directory's entries (a created, renamed or truncated file) durable. */
export async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export function syncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
      if (FLUME_DATA_FILE.test(name)) throw flumeData(channel, dir, name);
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

/** Refuses a checkpoint directory that Apache Flume wrote. */
export function checkNotFlume(channel: string, dir: string): void {
  const names = readdirSync(dir);
  const flume = FLUME_CHECKPOINT_FILES.find((f) => names.includes(f));
  if (flume) throw flumeData(channel, dir, flume);
}
