/**
 * Where takes get their events: from memory while a batch is cached, else from its record on disk.
 * Recent put batches stay cached up to CACHE_BYTES, so a sink that keeps up never reads the disk; a
 * backlog beyond that is read back record by record (neighbouring records in one read) and cached
 * until its last event is taken, since the head of the queue is what the next takes want.
 */
import type { Event } from '../../core/event.ts';
import { SluiceError } from '../../errors.ts';
import { decodePut, PUT, recordIntact } from './format.ts';
import type { DataLog } from './log.ts';
import type { Batch, Piece } from './queue.ts';

const CACHE_BYTES = 64 << 20;
/** Records closer together than this are read with one read. */
const SPAN_BYTES = 4 << 20;

export class EventReader {
  private cachedBytes = 0;

  constructor(
    private readonly channel: string,
    private readonly log: DataLog,
  ) {}

  /** Keeps a newly put batch's events in memory if the cache has room. */
  cache(batch: Batch, events: Event[]): void {
    if (this.cachedBytes + batch.size > CACHE_BYTES) return;
    batch.events = events;
    this.cachedBytes += batch.size;
  }

  /** Drops a batch's events once all of them are taken. */
  release(batch: Batch): void {
    if (!batch.events) return;
    batch.events = undefined;
    this.cachedBytes -= batch.size;
  }

  /** The events of `pieces[from…]`, in order. */
  async events(pieces: readonly Piece[], from: number): Promise<Event[]> {
    const missing = new Set<Batch>();
    for (let i = from; i < pieces.length; i++) if (!pieces[i]!.batch.events) missing.add(pieces[i]!.batch);
    if (missing.size > 0) await this.load([...missing]);
    if (pieces.length - from === 1) {
      const p = pieces[from]!;
      const all = p.batch.events!;
      return p.start === 0 && p.end === all.length ? all : all.slice(p.start, p.end);
    }
    const out: Event[] = [];
    for (let i = from; i < pieces.length; i++) {
      const p = pieces[i]!;
      const all = p.batch.events!;
      for (let k = p.start; k < p.end; k++) out.push(all[k]!);
    }
    return out;
  }

  private async load(batches: Batch[]): Promise<void> {
    batches.sort((a, b) => a.fileId - b.fileId || a.offset - b.offset);
    const spans: Batch[][] = [];
    for (const b of batches) {
      const span = spans.at(-1);
      const first = span?.[0];
      if (span && first && first.fileId === b.fileId && b.offset + b.size - first.offset <= SPAN_BYTES) span.push(b);
      else spans.push([b]);
    }
    await Promise.all(
      spans.map(async (span) => {
        const first = span[0]!;
        const last = span.at(-1)!;
        const data = await this.log.read(first.fileId, first.offset, last.offset + last.size - first.offset);
        for (const b of span) this.attach(b, data.subarray(b.offset - first.offset, b.offset - first.offset + b.size));
      }),
    );
  }

  private attach(batch: Batch, record: Buffer): void {
    if (record.length !== batch.size || !recordIntact(record) || record[8] !== PUT || record.readUInt32LE(9) !== batch.count) {
      const path = this.log.files.get(batch.fileId);
      throw new SluiceError(
        'SLUICE_CHANNEL_CORRUPT',
        `Channel "${this.channel}" cannot read ${batch.count} events at offset ${batch.offset} of data file ${path}: the record is damaged (checksum mismatch or truncated file). Takes fail until the file is restored.`,
        { file: path, offset: batch.offset },
      );
    }
    if (batch.events) return;
    batch.events = decodePut(record);
    this.cachedBytes += batch.size;
  }
}
