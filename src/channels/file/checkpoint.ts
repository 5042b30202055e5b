/**
 * Checkpoints: the queue (every piece, including those held by open takes) and the log position it
 * reflects, so a restart reads the checkpoint and replays only the data written after it. Replaced
 * atomically (replaceFile), so a crash leaves either the old or the new checkpoint whole. With
 * `useDualCheckpoints` a copy goes to `backupCheckpointDir`, used when the main one is missing or damaged.
 *
 *   "SLCP" u32 version, u32 fileId, u32 offset, u32 pieces,
 *   pieces × (u32 fileId, u32 record offset, u32 record size, u32 events, u32 start, u32 end), u32 crc
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { replaceFile } from '../../core/durable-file.ts';
import { CHECKPOINT_FILE } from './files.ts';
import type { LogPosition } from './log.ts';
import type { Piece } from './queue.ts';

const MAGIC = 0x50434c53; // "SLCP"
const VERSION = 1;
const HEADER = 20;
const PIECE = 24;

export interface Checkpoint {
  position: LogPosition;
  /** Six u32 per piece, in queue order: fileId, offset, size, count, start, end. */
  pieces: Uint32Array;
}

/** Encodes a checkpoint; also returns the oldest data file it needs. */
export function encodeCheckpoint(position: LogPosition, pieces: readonly Piece[]): { data: Buffer; oldestFile: number } {
  const data = Buffer.alloc(HEADER + PIECE * pieces.length + 4);
  data.writeUInt32LE(MAGIC, 0);
  data.writeUInt32LE(VERSION, 4);
  data.writeUInt32LE(position.fileId, 8);
  data.writeUInt32LE(position.offset, 12);
  data.writeUInt32LE(pieces.length, 16);
  let oldestFile = position.fileId;
  let p = HEADER;
  for (const piece of pieces) {
    const b = piece.batch;
    if (b.fileId < oldestFile) oldestFile = b.fileId;
    data.writeUInt32LE(b.fileId, p);
    data.writeUInt32LE(b.offset, p + 4);
    data.writeUInt32LE(b.size, p + 8);
    data.writeUInt32LE(b.count, p + 12);
    data.writeUInt32LE(piece.start, p + 16);
    data.writeUInt32LE(piece.end, p + 20);
    p += PIECE;
  }
  data.writeUInt32LE(crc32(data.subarray(0, p)), p);
  return { data, oldestFile };
}

export function writeCheckpoint(dir: string, data: Buffer): Promise<void> {
  return replaceFile(join(dir, CHECKPOINT_FILE), data);
}

/** The checkpoint in `dir`, or why there is none usable. */
export function readCheckpoint(dir: string): { checkpoint: Checkpoint } | { missing: string } | { damaged: string } {
  const path = join(dir, CHECKPOINT_FILE);
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { missing: path };
    return { damaged: `${path} cannot be read: ${(err as Error).message}` };
  }
  if (data.length < HEADER + 4 || data.readUInt32LE(0) !== MAGIC) return { damaged: `${path} is not a Sluice checkpoint` };
  if (data.readUInt32LE(4) !== VERSION) return { damaged: `${path} has unknown version ${data.readUInt32LE(4)}` };
  const n = data.readUInt32LE(16);
  const end = HEADER + PIECE * n;
  if (data.length !== end + 4 || crc32(data.subarray(0, end)) !== data.readUInt32LE(end)) {
    return { damaged: `${path} fails its checksum (truncated or damaged)` };
  }
  const pieces = new Uint32Array(6 * n);
  for (let i = 0, p = HEADER; i < pieces.length; i++, p += 4) pieces[i] = data.readUInt32LE(p);
  return { checkpoint: { position: { fileId: data.readUInt32LE(8), offset: data.readUInt32LE(12) }, pieces } };
}
