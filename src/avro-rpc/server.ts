/**
 * Avro RPC server for AvroSourceProtocol: what Flume's avro source listens with (Avro's
 * `NettyServer` + `Responder`). Each connection handshakes once and then carries calls; a bad
 * connection is closed on its own and logged, the others keep being served.
 */
import net, { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import { type AvroRpcHandler, type RpcLogger, ServerConnection } from './connection.ts';
import { DEFAULT_PACK_LIMITS, type PackLimits } from './framing.ts';
import { ServerHandshake } from './handshake.ts';
import { type IpFilterRule, ipAllowed, parseIpFilterRules } from './ip-filter.ts';
import { type Compression, serverStream } from './transport.ts';

export type { AvroRpcHandler, RpcLogger } from './connection.ts';

export interface AvroRpcServerOptions {
  /** Listen address (Flume's `bind`); default all interfaces. */
  host?: string;
  port: number;
  /** Must match the clients' setting. We send at level 6, as Flume's source always does. */
  compression?: Compression;
  /** Key material for TLS, e.g. from `serverTlsOptions`; absent means plain TCP. */
  tls?: tls.SecureContextOptions;
  /** Flume's `ipFilterRules` text (or parsed rules); absent accepts every address. */
  ipFilterRules?: string | IpFilterRule[];
  /** Connections beyond this are closed at once. Default 1024. */
  maxConnections?: number;
  /** Calls of one connection that run at once. Default 4. */
  maxInFlightPerConnection?: number;
  /** Frame limits; default 64 MiB and 65536 buffers per pack. */
  limits?: Partial<PackLimits>;
  logger?: RpcLogger;
  /** Told the number of open connections whenever it changes (Flume's `OpenConnectionCount`). */
  onConnections?: (count: number) => void;
}

const silent: RpcLogger = { info() {}, warn() {} };

export class AvroRpcServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly connections = new Set<ServerConnection>();
  private readonly secureContext: tls.SecureContext | undefined;
  private readonly rules: IpFilterRule[] | undefined;
  private readonly logger: RpcLogger;
  private readonly maxConnections: number;
  private readonly handshake = new ServerHandshake();

  constructor(
    private readonly opts: AvroRpcServerOptions,
    private readonly handler: AvroRpcHandler,
  ) {
    this.secureContext = opts.tls ? tls.createSecureContext(opts.tls) : undefined;
    this.rules = typeof opts.ipFilterRules === 'string' ? parseIpFilterRules(opts.ipFilterRules) : opts.ipFilterRules;
    this.logger = opts.logger ?? silent;
    this.maxConnections = opts.maxConnections ?? 1024;
    // Paused until accepted: nothing is read before the IP filter and the TLS layer are in place.
    this.server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
  }

  /** Resolves with the bound address (useful with port 0). */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.address;
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** Open connections (Flume's `OpenConnectionCount`). */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /**
   * Stops accepting, lets calls already running answer, then closes every connection; connections
   * still open after `graceMs` are cut.
   */
  async close(graceMs = 10_000): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all([...this.connections].map((c) => c.shutdown()));
    const timer = new AbortController();
    await Promise.race([drained, delay(graceMs, undefined, { signal: timer.signal }).catch(() => undefined)]);
    timer.abort();
    for (const socket of this.sockets) socket.destroy();
    await stopped;
  }

  private accept(socket: net.Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.sockets.size >= this.maxConnections) {
      this.logger.warn({ remote, limit: this.maxConnections }, 'Refusing Avro RPC connection: too many connections.');
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.opts.onConnections?.(this.sockets.size);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.opts.onConnections?.(this.sockets.size);
    });
    socket.on('error', () => {}); // reported by the connection's own stream
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    if (!this.rules) {
      this.start(socket, remote);
      return;
    }
    ipAllowed(this.rules, socket.remoteAddress ?? '')
      .then((ok) => {
        if (ok) {
          this.start(socket, remote);
        } else {
          this.logger.info({ remote }, 'Refusing Avro RPC connection: ipFilterRules deny this address.');
          socket.destroy();
        }
      })
      .catch((err: unknown) => {
        this.logger.warn({ err, remote }, 'Avro RPC connection could not be set up.');
        socket.destroy();
      });
  }

  private start(socket: net.Socket, remote: string): void {
    if (socket.destroyed || !this.server.listening) {
      socket.destroy();
      return;
    }
    const io = serverStream(socket, { compression: this.opts.compression ?? 'none', compressionLevel: 6 }, this.secureContext);
    const conn = new ServerConnection(io, socket, remote, {
      handshake: this.handshake,
      handler: this.handler,
      limits: { ...DEFAULT_PACK_LIMITS, ...this.opts.limits },
      maxInFlight: this.opts.maxInFlightPerConnection ?? 4,
      logger: this.logger,
    });
    this.connections.add(conn);
    conn.closed.then(() => this.connections.delete(conn));
    if (io === socket) socket.resume();
  }
}
