/**
 * The byte stream under the Netty packs, layered as Flume 1.10/1.11 does:
 * wire = zlib(TLS(packs)) when both deflate and TLS are on, i.e. zlib directly on the socket and
 * TLS inside it (Flume 1.9 did the opposite and cannot talk to 1.10+ with both on).
 * deflate is one zlib (RFC 1950) stream per direction, sync-flushed after each write so every pack
 * (or TLS record) reaches the peer at once.
 */
import { once } from 'node:events';
import net from 'node:net';
import { Duplex, finished } from 'node:stream';
import tls from 'node:tls';
import zlib from 'node:zlib';

export type Compression = 'none' | 'deflate';

/**
 * Deflates what is written and inflates what is read, over `socket`. The peer's stream may never
 * be finished (Flume's source does not finish it on a normal close), so inflate treats the end of
 * input as a sync point rather than an error.
 */
export class ZlibDuplex extends Duplex {
  private readonly deflate: zlib.Deflate;
  private readonly inflate: zlib.Inflate;

  constructor(
    private readonly socket: Duplex,
    level: number,
  ) {
    super({ allowHalfOpen: false });
    this.deflate = zlib.createDeflate({ level });
    this.inflate = zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.deflate.pipe(socket);
    socket.pipe(this.inflate);
    this.inflate.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.inflate.pause();
    });
    this.inflate.on('end', () => this.push(null));
    const fail = (err: Error) => this.destroy(err);
    this.inflate.on('error', fail);
    this.deflate.on('error', fail);
    socket.on('error', fail);
  }

  override _read(): void {
    this.inflate.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.deflate.write(chunk);
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => cb());
  }

  /** Several queued packs share one sync flush. */
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    for (const { chunk } of chunks) this.deflate.write(chunk);
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => cb());
  }

  /** Finishes our zlib stream (end marker and adler32) and waits until the socket took it. */
  override _final(cb: (err?: Error | null) => void): void {
    this.deflate.end();
    finished(this.socket, { readable: false }, (err) => cb(err));
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.deflate.destroy();
    this.inflate.destroy();
    this.socket.destroy();
    cb(err);
  }
}

export interface StreamOptions {
  compression: Compression;
  /** zlib level of what we send (Flume's server always uses 6; its client `compression-level`). */
  compressionLevel: number;
}

/** The plaintext stream of an accepted connection. TLS errors surface as 'error' on it. */
export function serverStream(socket: net.Socket, opts: StreamOptions, secureContext?: tls.SecureContext): Duplex {
  let io: Duplex = opts.compression === 'deflate' ? new ZlibDuplex(socket, opts.compressionLevel) : socket;
  if (secureContext) {
    io = new tls.TLSSocket(io, { isServer: true, secureContext, requestCert: false, rejectUnauthorized: false });
  }
  return io;
}

export interface ConnectOptions extends StreamOptions {
  host: string;
  port: number;
  /** TLS client options (trust, hostname check); absent means plain TCP. */
  tls?: tls.ConnectionOptions;
  /** Aborting destroys the connection attempt. */
  signal: AbortSignal;
}

/** Opens TCP, then zlib, then TLS; resolves once the TLS handshake (if any) is done. */
export async function connectStream(opts: ConnectOptions): Promise<Duplex> {
  const socket = net.connect({ host: opts.host, port: opts.port, noDelay: true, keepAlive: true });
  let io: Duplex = socket;
  const abort = () => io.destroy();
  opts.signal.addEventListener('abort', abort, { once: true });
  try {
    await once(socket, 'connect', { signal: opts.signal });
    if (opts.compression === 'deflate') io = new ZlibDuplex(socket, opts.compressionLevel);
    if (opts.tls) {
      const secure = tls.connect({ ...opts.tls, socket: io, host: opts.host });
      io = secure;
      await once(secure, 'secureConnect', { signal: opts.signal });
    }
    return io;
  } catch (err) {
    io.destroy();
    socket.destroy();
    throw err;
  } finally {
    opts.signal.removeEventListener('abort', abort);
  }
}
