/**
 * BLOB deserializer (org.apache.flume.sink.solr.morphline.BlobDeserializer): the whole file as one
 * event, raw bytes. A file longer than `maxBlobLength` continues in the next event(s), as in Flume.
 * Each body is read into a buffer of its own, so a large file is never held twice.
 */
import type { Event } from '../../core/event.ts';
import type { Deserializer, Position, ReaderContext } from './deserializer.ts';

/** A batch stops growing past this many bytes, so that `batchSize` large blobs are not all held at once. */
const BATCH_BYTES = 64 << 20;
/** Read size once the file is longer than it was when it was opened (it then fails the change check). */
const PROBE_BYTES = 8 << 10;

export class BlobReader implements Deserializer {
  private offset: number;

  constructor(
    private readonly ctx: ReaderContext,
    private readonly maxBlobLength: number,
    private readonly size: number,
  ) {
    this.offset = ctx.at.offset;
  }

  get position(): Position {
    return { offset: this.offset, records: 0 };
  }

  async read(max: number): Promise<Event[]> {
    const out: Event[] = [];
    let bytes = 0;
    while (out.length < max && bytes < BATCH_BYTES) {
      const left = this.size - this.offset;
      const buf = Buffer.allocUnsafe(Math.min(this.maxBlobLength, left > 0 ? left : PROBE_BYTES));
      const n = await this.ctx.file.readDirect(buf, this.offset);
      if (n === 0) break;
      if (n === this.maxBlobLength) this.ctx.onSplit(this.offset);
      out.push({ headers: this.ctx.headers(), body: n === buf.length ? buf : buf.subarray(0, n) });
      this.offset += n;
      bytes += n;
    }
    return out;
  }
}
