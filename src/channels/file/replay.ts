/**
 * Startup recovery: load the newest usable checkpoint, then replay the data written after it. Only
 * committed transactions are in the data files (a record is written at commit), so replay is: each
 * PUT adds a batch, each TAKE removes event ranges. Puts of transactions that never committed were
 * never written; takes that never committed leave their events in place.
 *
 * A bad frame at the end of the newest file is a commit torn by the crash: it is cut off, with a log
 * line saying how many bytes went. A bad frame anywhere else, or one followed by a valid frame, is
 * damage: startup stops with an error naming the file and offset rather than skip data silently.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';
import type { Logger } from '../../core/logger.ts';
import { SluiceError } from '../../errors.ts';
import { type Checkpoint, readCheckpoint } from './checkpoint.ts';
import { dataFileName, listDataFiles } from './files.ts';
import { checkFrameBody, decodeFileHeader, FILE_HEADER_SIZE, FRAME_HEADER_SIZE, FRAME_MAGIC, forEachRange, PUT, putCount, readFrameHeader } from './format.ts';
import { ReplayState } from './replay-state.ts';
import type { Piece } from './queue.ts';

const WINDOW = 8 << 20;

export interface RecoverOptions {
  channel: string;
  dataDirs: readonly string[];
  /** The checkpoint directory, then the backup one if any. */
  checkpointDirs: readonly string[];
  logger: Logger;
}

export interface Recovered {
  files: Map<number, string>;
  /** The queue, head first. */
  pieces: Piece[];
  nextFileId: number;
  replayedBytes: number;
}

export function recover(o: RecoverOptions): Recovered {
  const files = listDataFiles(o.channel, o.dataDirs);
  const ids = [...files.keys()].sort((a, b) => a - b);
  const cp = loadCheckpoint(o, ids.length > 0);
  if (!cp && ids.length === 0) return { files, pieces: [], nextFileId: 1, replayedBytes: 0 };
  const start = cp?.position ?? { fileId: ids[0]!, offset: FILE_HEADER_SIZE };
  const state = new ReplayState(o.channel, cp ? undefined : ids[0]!);
  const first = cp ? state.seed(cp) : start.fileId;
  let last = Math.max(ids.at(-1) ?? 0, start.fileId);
  for (let id = first; id <= last; id++) {
    if (!files.has(id)) {
      throw new SluiceError(
        'SLUICE_CHANNEL_CORRUPT',
        `Channel "${o.channel}" cannot start: data file ${dataFileName(id)} is missing from dataDirs (${o.dataDirs.join(', ')}), and the checkpoint or later data files need it. Restore the file; to give up every event of this channel instead, empty its checkpointDir and dataDirs.`,
      );
    }
  }
  // Files a checkpoint had already let go of, whose deletion did not survive a crash.
  for (const id of ids) {
    if (id >= first) break;
    unlinkSync(files.get(id)!);
    files.delete(id);
  }
  let replayedBytes = 0;
  for (let id = start.fileId; id <= last; id++) {
    const scanned = scanFile(o, files.get(id)!, id, id === start.fileId ? start.offset : FILE_HEADER_SIZE, id === last, state);
    if (scanned < 0) {
      files.delete(id);
      last--;
    } else replayedBytes += scanned;
  }
  return { files, pieces: state.result(), nextFileId: last + 1, replayedBytes };
}

function loadCheckpoint(o: RecoverOptions, haveData: boolean): Checkpoint | undefined {
  for (const dir of o.checkpointDirs) {
    const r = readCheckpoint(dir);
    if ('checkpoint' in r) return r.checkpoint;
    if ('damaged' in r) o.logger.warn({ dir }, `Channel "${o.channel}" cannot use its checkpoint: ${r.damaged}.`);
    else if (haveData) o.logger.warn({ dir }, `Channel "${o.channel}" has no checkpoint in "${dir}".`);
  }
  if (haveData) o.logger.warn(`Channel "${o.channel}" has no usable checkpoint: replaying every data file (restart takes longer).`);
  return undefined;
}

/**
 * Replays one data file from `from`; returns the bytes read, or -1 when the newest file turned out to
 * be torn before its header was complete (it is removed).
 */
function scanFile(o: RecoverOptions, path: string, id: number, from: number, isLast: boolean, state: ReplayState): number {
  const fd = openSync(path, isLast ? 'r+' : 'r');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(FILE_HEADER_SIZE);
    readSync(fd, header, 0, FILE_HEADER_SIZE, 0);
    if (decodeFileHeader(header) !== id) {
      if (isLast && size <= FILE_HEADER_SIZE) {
        o.logger.warn({ file: path, bytes: size }, `Channel "${o.channel}" removed data file ${path}: it was being created when the process stopped.`);
        unlinkSync(path);
        return -1;
      }
      throw damaged(o.channel, path, 0, 'its header is not a Sluice data file header for this name');
    }
    const reader = new Reader(fd, size);
    let pos = from;
    while (pos < size) {
      const frame = frameAt(reader, pos);
      if (!frame) break;
      const b = reader.buf;
      for (const r of frame.records) {
        const where = reader.at + r;
        if (b[r + 8] === PUT) state.put(id, where, 8 + b.readUInt32LE(r), putCount(b, r));
        else forEachRange(b, r, (f, off, s, e) => state.take(f, off, s, e, path, where));
      }
      pos += frame.size;
    }
    if (pos < size) {
      const next = isLast ? nextValidFrame(reader, pos + 1) : pos;
      if (next >= 0) throw damaged(o.channel, path, pos, `${size - pos} bytes follow it${next > pos ? `, with a valid record at offset ${next}` : ''}`);
      ftruncateSync(fd, pos);
      fsyncSync(fd);
      o.logger.warn(
        { file: path, offset: pos, droppedBytes: size - pos },
        `Channel "${o.channel}" dropped the torn tail of ${path}: ${size - pos} bytes after offset ${pos}, from a commit that had not completed when the process stopped.`,
      );
    }
    return pos - from;
  } finally {
    closeSync(fd);
  }
}

function damaged(channel: string, path: string, offset: number, why: string): SluiceError {
  return new SluiceError(
    'SLUICE_CHANNEL_CORRUPT',
    `Channel "${channel}" cannot start: data file ${path} is damaged at offset ${offset} (${why}). Events after that point cannot be read; restore the file from a copy, or move it away to give up its events.`,
    { file: path, offset },
  );
}

/** The valid frame at `pos` (its size and where its records are in `r.buf`), or undefined. */
function frameAt(r: Reader, pos: number): { size: number; records: number[] } | undefined {
  if (!r.load(pos, FRAME_HEADER_SIZE)) return undefined;
  const h = readFrameHeader(r.buf, pos - r.at);
  if (!h) return undefined;
  const size = FRAME_HEADER_SIZE + h.bodyLength;
  if (!r.load(pos, size)) return undefined;
  const base = pos - r.at;
  const records = checkFrameBody(r.buf, base + FRAME_HEADER_SIZE, base + size, h.records, h.crc);
  return records && { size, records };
}

/** Offset of the first valid frame at or after `from`, or -1: tells damage in the middle from a torn tail. */
function nextValidFrame(r: Reader, from: number): number {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(FRAME_MAGIC);
  const probe = new Reader(r.fd, r.size);
  for (let at = from; at + FRAME_HEADER_SIZE <= r.size; at += WINDOW - 3) {
    r.load(at, Math.min(WINDOW, r.size - at));
    const end = Math.min(r.size, at + WINDOW) - r.at;
    for (let i = r.buf.indexOf(magic, at - r.at); i >= 0 && i < end; i = r.buf.indexOf(magic, i + 1)) {
      if (frameAt(probe, r.at + i)) return r.at + i;
    }
  }
  return -1;
}

/** A read window over a file: `buf` holds the bytes from file offset `at`. */
class Reader {
  buf = Buffer.alloc(0);
  at = 0;
  private length = 0;

  constructor(
    readonly fd: number,
    readonly size: number,
  ) {}

  /** Makes `n` bytes from `pos` available in `buf`; false when the file ends first. */
  load(pos: number, n: number): boolean {
    if (pos >= this.at && pos + n <= this.at + this.length) return true;
    if (pos + n > this.size) return false;
    const want = Math.max(n, Math.min(WINDOW, this.size - pos));
    if (this.buf.length < want) this.buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const k = readSync(this.fd, this.buf, got, want - got, pos + got);
      if (k === 0) break;
      got += k;
    }
    this.at = pos;
    this.length = got;
    return got >= n;
  }
}
