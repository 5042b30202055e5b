/**
 * The queue being rebuilt during replay: the checkpoint's pieces in their order, then every replayed
 * put batch in log order; take ranges are collected per batch and cut out at the end, so a take that
 * split a piece (after a rollback put part of it back) costs nothing special.
 */
import { SluiceError } from '../../errors.ts';
import type { Checkpoint } from './checkpoint.ts';
import { Batch, type Piece } from './queue.ts';

const key = (fileId: number, offset: number) => fileId * 0x100000000 + offset;

export class ReplayState {
  private readonly batches = new Map<number, Batch>();
  private readonly order: Piece[] = [];
  private readonly taken = new Map<Batch, number[]>();

  constructor(
    private readonly channel: string,
    /**
     * Without a checkpoint, the oldest data file: takes of batches in older (deleted) files are
     * expected then. With a checkpoint every take must find its batch.
     */
    private readonly oldestFile: number | undefined,
  ) {}

  /** Loads a checkpoint's queue; returns the oldest data file it needs. */
  seed(cp: Checkpoint): number {
    let oldest = cp.position.fileId;
    const p = cp.pieces;
    for (let i = 0; i < p.length; i += 6) {
      const k = key(p[i]!, p[i + 1]!);
      let batch = this.batches.get(k);
      if (!batch) {
        batch = new Batch(p[i]!, p[i + 1]!, p[i + 2]!, p[i + 3]!);
        this.batches.set(k, batch);
        if (batch.fileId < oldest) oldest = batch.fileId;
      }
      this.order.push({ batch, start: p[i + 4]!, end: p[i + 5]! });
    }
    return oldest;
  }

  put(fileId: number, offset: number, size: number, count: number): void {
    const batch = new Batch(fileId, offset, size, count);
    this.batches.set(key(fileId, offset), batch);
    this.order.push({ batch, start: 0, end: count });
  }

  take(fileId: number, offset: number, start: number, end: number, path: string, at: number): void {
    const batch = this.batches.get(key(fileId, offset));
    if (!batch) {
      if (this.oldestFile !== undefined && fileId < this.oldestFile) return;
      throw new SluiceError(
        'SLUICE_CHANNEL_CORRUPT',
        `Channel "${this.channel}" cannot start: the take recorded in ${path} at offset ${at} removes events of a batch (file ${fileId}, offset ${offset}) that the checkpoint and data files do not hold. The checkpoint does not match the data files; move the checkpoint away to replay all data files.`,
        { file: path, offset: at },
      );
    }
    const list = this.taken.get(batch);
    if (list) list.push(start, end);
    else this.taken.set(batch, [start, end]);
  }

  /** The rebuilt queue, head first, with every batch's `remaining` count set. */
  result(): Piece[] {
    for (const b of this.batches.values()) b.remaining = 0;
    for (const list of this.taken.values()) sortPairs(list);
    const out: Piece[] = [];
    for (const piece of this.order) {
      const cut = this.taken.get(piece.batch);
      let from = piece.start;
      if (cut) {
        for (let i = 0; i < cut.length && from < piece.end; i += 2) {
          const [s, e] = [cut[i]!, cut[i + 1]!];
          if (e <= from || s >= piece.end) continue;
          if (s > from) out.push({ batch: piece.batch, start: from, end: s });
          from = Math.max(from, e);
        }
      }
      if (from < piece.end) out.push({ batch: piece.batch, start: from, end: piece.end });
    }
    for (const p of out) p.batch.remaining += p.end - p.start;
    return out;
  }
}

/** Sorts a flat [start, end, start, end, …] list by start. */
function sortPairs(list: number[]): void {
  if (list.length <= 2) return;
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < list.length; i += 2) pairs.push([list[i]!, list[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < pairs.length; i++) [list[2 * i], list[2 * i + 1]] = pairs[i]!;
}
