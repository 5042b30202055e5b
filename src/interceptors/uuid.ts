/**
 * `uuid` interceptor (org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder, from Flume's
 * morphline Solr sink jar): sets a header to `prefix` followed by a random (version 4) UUID. Flume has no
 * short name for it; Sluice also accepts `uuid`.
 */
import { randomFillSync } from 'node:crypto';
import { opt } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';

const HEX = Buffer.from('0123456789abcdef');

/**
 * Writes `prefix` + UUID into one buffer and decodes it as one flat string. crypto.randomUUID() builds
 * its result by concatenating ~20 pieces; held by a million events in a channel, those string trees
 * cost the garbage collector several times what generating them does.
 */
class UuidWriter {
  private readonly text: Buffer;
  private readonly at: number;
  private readonly encoding: BufferEncoding;
  private random = Buffer.alloc(16 * 1024);

  constructor(prefix: string) {
    const p = Buffer.from(prefix, 'utf8');
    this.text = Buffer.alloc(p.length + 36);
    p.copy(this.text);
    this.at = p.length;
    this.encoding = p.length === prefix.length ? 'latin1' : 'utf8';
  }

  /** Random bytes for `n` UUIDs, drawn once per batch. */
  fill(n: number): void {
    if (this.random.length < 16 * n) this.random = Buffer.alloc(16 * n);
    randomFillSync(this.random, 0, 16 * n);
  }

  /** The i-th UUID of the batch. */
  uuid(i: number): string {
    const r = this.random;
    const t = this.text;
    let w = this.at;
    for (let b = i * 16, end = b + 16; b < end; b++) {
      const col = w - this.at;
      if (col === 8 || col === 13 || col === 18 || col === 23) t[w++] = 0x2d;
      // Version 4 in the high nibble of byte 6, variant 10xx in byte 8 (RFC 4122 §4.4).
      const v = b % 16 === 6 ? (r[b]! & 0x0f) | 0x40 : b % 16 === 8 ? (r[b]! & 0x3f) | 0x80 : r[b]!;
      t[w++] = HEX[v >> 4]!;
      t[w++] = HEX[v & 15]!;
    }
    return t.toString(this.encoding, 0, t.length);
  }
}

export const uuidInterceptor = defineInterceptor({
  type: 'uuid',
  flumeClass: 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder',
  description: 'Sets a header to a random UUID, for de-duplication downstream.',
  options: {
    headerName: opt.string('The header to set.', { default: 'id' }),
    preserveExisting: opt.bool('Leave events that already have the header as they are.', { default: true }),
    prefix: opt.string('Text put before the UUID.', { default: '' }),
  },
  create: ({ headerName, preserveExisting, prefix }) => {
    const writer = new UuidWriter(prefix);
    return {
      intercept(events: Event[]): Event[] {
        writer.fill(events.length);
        for (let i = 0; i < events.length; i++) {
          const headers = events[i]!.headers;
          if (!preserveExisting || !Object.hasOwn(headers, headerName)) headers[headerName] = writer.uuid(i);
        }
        return events;
      },
    };
  },
});
