/**
 * Making file changes survive a power loss: a directory's entries (a created, renamed or removed file)
 * are only durable once the directory itself is synced, and replacing a file's content atomically
 * takes a temporary file, a sync, a rename and a sync of the directory.
 */
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Replaces `path` with `data` so that a crash or power loss leaves either the old or the new content. */
export async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const h = await open(tmp, 'w');
  try {
    await h.writeFile(data);
    await h.datasync();
  } finally {
    await h.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
