/**
 * One bucket of the HDFS sink (Flume's BucketWriter): the files written for one escaped
 * `path/prefix`, one open at a time, named `<prefix>.<counter><suffix>` with the counter seeded from
 * the clock and raised before each open. Over WebHDFS a file is closed by the DataNode after every
 * request, so "open" means "still has its in-use name": each write is one APPEND, durable when it
 * returns, and closing is the rename.
 *
 * Crash safety: a file is created empty and tagged with the xattr `user.sluice.length`, which is
 * set to the file's length after every confirmed write, before the channel commits. A file that a
 * failed or unanswered write may have left longer than that is never written again: it is cut back
 * to the recorded length (TRUNCATE) and renamed in the background, and the retried batch goes to a
 * new file, so nothing is duplicated inside a file and nothing committed is lost. A restarted sink
 * does the same to the in-use files a crash left behind (recover.ts).
 */
import type { Event } from '../../core/event.ts';
import type { EventSerializer } from '../util/serializers/index.ts';
import type { HdfsSettings } from './options.ts';
import { remoteException, type WebHdfs } from './webhdfs.ts';

export const LENGTH_XATTR = 'user.sluice.length';

/** One file: its names, what HDFS has confirmed, and the format state of what comes next. */
export class HdfsFile {
  /** Bytes HDFS confirmed (and the xattr records); what a failed write is cut back to. */
  length = 0;
  events = 0;
  bodyBytes = 0;
  created = false;
  /** A write failed or went unanswered: the file may hold more than `length`. */
  broken = false;
  /** The name was taken by a file this sink did not create: never touch it. */
  foreign = false;
  readonly openedAt = Date.now();

  constructor(
    readonly tmpPath: string,
    readonly finalPath: string,
    readonly serializer: EventSerializer,
  ) {}
}

/** Serializes a segment of events for `file`: the header first for a new file; compressed if set. */
export function encodeSegment(file: HdfsFile, events: readonly Event[], s: HdfsSettings): Buffer {
  const body = file.serializer.encode(events);
  const header = file.length === 0 ? file.serializer.header() : undefined;
  const raw = header ? Buffer.concat([header, body]) : body;
  return s.fileType === 'CompressedStream' ? s.codec!.compress(raw) : raw;
}

/** Writes a segment; resolves once the data and the new length are recorded in HDFS. */
export async function writeSegment(fs: WebHdfs, file: HdfsFile, data: Buffer): Promise<void> {
  try {
    if (!file.created) {
      // Never over another file: a name already taken (an orphan, say) fails the write, retried in the next file.
      await fs.create(file.tmpPath, [], false);
      file.created = true;
      await fs.setXAttr(file.tmpPath, LENGTH_XATTR, '0', false);
    }
    await fs.append(file.tmpPath, [data]);
    await fs.setXAttr(file.tmpPath, LENGTH_XATTR, String(file.length + data.length), true);
  } catch (err) {
    file.broken = true;
    file.foreign = !file.created && remoteException(err) === 'FileAlreadyExistsException';
    throw err;
  }
  file.length += data.length;
}

export interface CloseResult {
  done: boolean;
  /** What happened, for the log. */
  note: string;
}

/**
 * Closes a file: deletes it if nothing in it was confirmed; with `verify` (the file may hold more than
 * `recorded`: a failed write, a crash) cuts it back to `recorded` first, which also makes HDFS recover
 * a lease a dead writer still holds; then renames it. Safe to repeat after any failure.
 */
export async function finishFile(fs: WebHdfs, tmpPath: string, finalPath: string, recorded: number | undefined, verify: boolean): Promise<CloseResult> {
  const st = await fs.status(tmpPath);
  if (!st) {
    const moved = await fs.status(finalPath);
    return { done: true, note: moved ? 'already renamed' : 'nothing to close' };
  }
  if (recorded === 0) {
    await fs.delete(tmpPath);
    return { done: true, note: st.length > 0 ? `deleted: none of its ${st.length} bytes was confirmed` : 'deleted: empty' };
  }
  // A no-op when the length is already right; otherwise the rest of an unconfirmed write goes.
  if (verify && recorded !== undefined) await fs.truncate(tmpPath, recorded);
  if (await fs.rename(tmpPath, finalPath)) {
    return { done: true, note: verify && recorded !== undefined && st.length !== recorded ? `cut back from ${st.length} to ${recorded} bytes and renamed` : 'renamed' };
  }
  // RENAME answers false rather than failing; a lost answer to an earlier try also ends here.
  const [src, dst] = await Promise.all([fs.status(tmpPath), fs.status(finalPath)]);
  if (!src && dst) return { done: true, note: 'renamed' };
  return { done: false, note: dst ? `"${finalPath}" already exists` : 'the rename was refused' };
}
