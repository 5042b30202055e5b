/**
 * A byte-level Netty-pack peer for tests: writes exact bytes and reads whole packs back as the
 * exact bytes that arrived, so answers can be compared with Java's test vectors.
 */
import { once } from 'node:events';
import net from 'node:net';

export class RawPeer {
  private data = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  ended = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  /** Bytes received and not yet taken by `readPack`. */
  get buffered(): Buffer {
    return this.data;
  }

  write(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes.replace(/\s+/g, ''), 'hex') : bytes);
  }

  private packLength(): number {
    const d = this.data;
    if (d.length < 8) return -1;
    let pos = 8;
    for (let i = d.readInt32BE(4); i > 0; i--) {
      if (d.length < pos + 4) return -1;
      pos += 4 + d.readInt32BE(pos);
    }
    return d.length >= pos ? pos : -1;
  }

  /** The raw bytes of the next pack; rejects if the connection closes first. */
  async readPack(timeoutMs = 2000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = this.packLength();
      if (n >= 0) {
        const pack = this.data.subarray(0, n);
        this.data = this.data.subarray(n);
        return pack;
      }
      if (this.ended) throw new Error('connection closed');
      if (Date.now() > deadline) throw new Error('timed out waiting for a pack');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  /** Resolves when the other side has closed the connection. */
  async closed(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Hex with whitespace removed, for writing test vectors readably. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Frames a message as a pack of the given buffers. */
export function pack(serial: number, ...buffers: Buffer[]): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(serial, 0);
  head.writeInt32BE(buffers.length, 4);
  const parts: Buffer[] = [head];
  for (const b of buffers) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b.length, 0);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}
