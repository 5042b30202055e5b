/**
 * What happens to a file once every event of it is delivered (Flume's retireCurrentFile): first the
 * check that it is still the file that was read, then rename to `<name><fileSuffix>`, a marker in
 * trackerDir, or deletion. Each ends with an fsync of the directory, so a completed file does not
 * come back after a power loss.
 */
import { lstat, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SluiceError } from '../../errors.ts';
import type { Discovery } from './discovery.ts';
import type { Retire } from './options.ts';
import { fsyncDir } from '../../core/durable-file.ts';
import { describeChange, type FileIdentity, identityOf, sameIdentity } from './tracker.ts';

export interface Finished {
  readonly path: string;
  readonly rel: string;
  readonly identity: FileIdentity;
}

export function changedError(path: string, was: FileIdentity, now: FileIdentity, positions: string): SluiceError {
  return new SluiceError(
    'SLUICE_SOURCE_FILE_CHANGED',
    `File "${path}" changed after it was picked up (${describeChange(was, now)}); files must not change once they are in the spooling directory. It is left in place and not read further; to read it again from the start, remove "${positions}".`,
    { file: path },
  );
}

function reusedError(path: string, taken: string): SluiceError {
  return new SluiceError(
    'SLUICE_SOURCE_NAME_REUSED',
    `File "${path}" was fully delivered but cannot be marked done: "${taken}" already exists, so this file name was used for two different files. The file is left in place; give one of them another name.`,
    { file: path, existing: taken },
  );
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Throws SLUICE_SOURCE_FILE_CHANGED or SLUICE_SOURCE_NAME_REUSED; the file is then untouched. */
export async function retire(how: Retire, file: Finished, discovery: Discovery, suffix: string, positions: string): Promise<void> {
  const now = await stat(file.path).catch(() => undefined);
  if (!now) {
    if (how === 'delete') return;
    throw new SluiceError('SLUICE_SOURCE_FILE_CHANGED', `File "${file.path}" disappeared before it could be marked done; it was fully delivered.`, { file: file.path });
  }
  if (!sameIdentity(file.identity, identityOf(now))) throw changedError(file.path, file.identity, identityOf(now), positions);
  if (how === 'delete') {
    await unlink(file.path);
    await fsyncDir(dirname(file.path));
    return;
  }
  if (how === 'rename') {
    const dest = file.path + suffix;
    if (await exists(dest)) throw reusedError(file.path, dest);
    await rename(file.path, dest);
    await fsyncDir(dirname(file.path));
    return;
  }
  const marker = discovery.markerPath(file.rel);
  await mkdir(dirname(marker), { recursive: true });
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(marker, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw reusedError(file.path, marker);
    throw err;
  }
  try {
    await fh.writeFile(JSON.stringify(file.identity));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(dirname(marker));
  discovery.marked(marker, file.identity);
}
