/**
 * Record-batch compression. The client library compresses and decompresses every codec but reads only
 * raw snappy blocks, while Java producers (Flume's Kafka sink among them) write snappy in Xerial's
 * framing (magic, versions, then length-prefixed raw blocks). `installXerialSnappy` teaches the
 * library's codec table to unframe those; what Sluice writes stays raw snappy, which Java reads too.
 * zstd needs `zlib.zstdCompressSync` (Node 22.15 and later): on Node 20 it is refused up front.
 */
import zlib from 'node:zlib';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { SluiceError } from '../errors.ts';

export const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof codecs)[number];

export function codecAvailable(codec: Codec): boolean {
  return codec !== 'zstd' || typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
}

export const ZSTD_NEEDS =
  `zstd needs Node 22.15 or later (zlib has no zstd on Node ${process.versions.node}); choose gzip, snappy or lz4, or run on a newer Node`;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16; // magic, int32 version, int32 compatible version

export function isXerialFramed(data: Uint8Array): boolean {
  return data.length >= XERIAL_HEADER && XERIAL_MAGIC.equals(data.subarray(0, 8));
}

/** Decodes Xerial snappy framing, inflating each raw block with `raw`. */
export function xerialUnframe(data: Buffer, raw: (block: Buffer) => Buffer): Buffer {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new SluiceError('SLUICE_KAFKA', 'Xerial snappy data ends inside a block length.');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) {
      throw new SluiceError('SLUICE_KAFKA', `Xerial snappy block of ${len} bytes overruns the ${data.length}-byte batch.`);
    }
    blocks.push(raw(data.subarray(pos, pos + len)));
    pos += len;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}

let installed = false;

/** Wraps the library's snappy decompressor once per process so that it also reads Xerial framing. */
export function installXerialSnappy(): void {
  if (installed) return;
  installed = true;
  const snappy = compressionsAlgorithms.snappy as { decompressSync: (data: Buffer) => Buffer };
  const raw = snappy.decompressSync.bind(snappy);
  snappy.decompressSync = (data) => (Buffer.isBuffer(data) && isXerialFramed(data) ? xerialUnframe(data, raw) : raw(data));
}
