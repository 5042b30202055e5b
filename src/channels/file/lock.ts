/**
 * One lock file per directory (`in_use.lock`, Flume's name), so that two channels, in this process or
 * another, never write the same checkpoint or data files. Node has no flock, so the lock file holds the
 * owner's pid and process start time: a lock left by a process that is gone (killed with -9) is taken
 * over with a warning, while a pid reused by an unrelated process does not look like the owner.
 */
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.ts';
import { SluiceError } from '../../errors.ts';

const LOCK_FILE = 'in_use.lock';
/** Directories locked by channels of this process (the pid check cannot tell them apart). */
const held = new Set<string>();

export interface DirLock {
  readonly dir: string;
  release(): void;
}

/** The start time of a process in clock ticks since boot (Linux), so a reused pid is not taken for the owner. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(pid: number, started: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return started === '' || startTime(pid) === '' || startTime(pid) === started;
}

/** Creates `dir` if needed and locks it; throws SLUICE_CHANNEL_LOCKED when another channel holds it. */
export function lockDir(dir: string, channel: string, logger: Logger): DirLock {
  mkdirSync(dir, { recursive: true });
  const real = realpathSync(dir);
  if (held.has(real)) {
    throw new SluiceError('SLUICE_CHANNEL_LOCKED', `Channel "${channel}" cannot use directory "${dir}": another file channel of this agent already uses it. Give each file channel its own checkpointDir and dataDirs.`);
  }
  const path = join(real, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SluiceError('SLUICE_CHANNEL_IO', `Channel "${channel}" could not create lock file "${path}": ${(err as Error).message}`, { cause: err });
      }
      const [pid, started = ''] = readFileSync(path, 'utf8').trim().split(/\s+/);
      // A second EEXIST means another process took the stale lock over at the same moment.
      if (attempt > 0 || (pid && /^\d+$/.test(pid) && Number(pid) !== process.pid && alive(Number(pid), started))) {
        throw new SluiceError('SLUICE_CHANNEL_LOCKED', `Channel "${channel}" cannot use directory "${dir}": process ${pid} holds its lock file "${path}". Two agents must not share file channel directories; stop the other agent or give this channel its own checkpointDir and dataDirs.`);
      }
      logger.warn({ dir, lockFile: path, previousOwner: pid }, 'Taking over the lock file left by a process that is no longer running.');
      unlinkSync(path);
      continue;
    }
    try {
      writeSync(fd, `${process.pid} ${startTime(process.pid)}\n`);
    } finally {
      closeSync(fd);
    }
    held.add(real);
    return {
      dir,
      release() {
        held.delete(real);
        try {
          unlinkSync(path);
        } catch {
          // Already gone: nothing is left to release.
        }
      },
    };
  }
}
