/**
 * Server side of one Avro RPC connection: handshake state, call decoding, the handler, and
 * responses tagged with the request's serial. Up to `maxInFlight` calls run at once and their
 * answers go out as they finish (Flume 1.10+ also answers out of order; clients match by serial).
 * Reading stops while that many calls run or while the peer is not reading our answers, so a fast
 * client is slowed down by TCP instead of growing our buffers.
 */
import type { Duplex } from 'node:stream';
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';
import { AvroReader } from './avro-binary.ts';
import { decodeParams, encodeErrorResponse, encodeHandshakeOnly, encodeResponse } from './codec.ts';
import { type PackLimits, PackDecoder } from './framing.ts';
import { readHandshakeRequest, type ServerHandshake } from './handshake.ts';
import { type MessageKind, STATUSES, type Status } from './protocol.ts';

/** The calls of one connection: resolves the Status to answer. A rejection answers FAILED, as Flume's source does. */
export type AvroRpcHandler = (events: Event[], kind: MessageKind) => Promise<Status>;

/** Structured logger, satisfied by a pino logger. */
export interface RpcLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface ConnectionContext {
  handshake: ServerHandshake;
  handler: AvroRpcHandler;
  limits: PackLimits;
  maxInFlight: number;
  logger: RpcLogger;
}

const EMPTY = Buffer.alloc(0);

export class ServerConnection {
  private handshaken = false;
  private inFlight = 0;
  private queue: [number, Buffer][] = [];
  private waitingDrain = false;
  private closing = false;
  private failed = false;
  private readonly decoder: PackDecoder;
  /** Settles when the socket is closed, whatever the reason. */
  readonly closed: Promise<void>;

  constructor(
    private readonly io: Duplex,
    private readonly socket: Duplex,
    readonly remote: string,
    private readonly ctx: ConnectionContext,
  ) {
    this.decoder = new PackDecoder(ctx.limits, (serial, message) => this.onPack(serial, message));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    io.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.fail(err);
      }
    });
    io.on('error', (err) => this.fail(err));
    io.on('drain', () => {
      this.waitingDrain = false;
      this.flow();
    });
  }

  /** Stops reading, lets running calls answer, then ends the connection. */
  shutdown(): Promise<void> {
    this.closing = true;
    this.queue = [];
    this.io.pause();
    if (this.inFlight === 0) this.io.end();
    return this.closed;
  }

  private onPack(serial: number, message: Buffer): void {
    if (this.closing) return;
    if (this.inFlight >= this.ctx.maxInFlight || this.queue.length > 0) {
      this.queue.push([serial, message]);
      this.flow();
      return;
    }
    this.dispatch(serial, message);
  }

  private dispatch(serial: number, message: Buffer): void {
    let hs: Buffer = EMPTY;
    let pos = 0;
    if (!this.handshaken) {
      const { value, offset } = readHandshakeRequest(message);
      const answer = this.ctx.handshake.answer(value);
      if (answer.match === 'NONE') {
        this.write(encodeHandshakeOnly(serial, answer.bytes));
        return;
      }
      if (answer.mismatch !== undefined) {
        const err = new SluiceError('SLUICE_RPC_HANDSHAKE', `Incompatible client protocol: ${answer.mismatch}.`);
        this.write(encodeErrorResponse(serial, answer.bytes, err.message));
        this.ctx.logger.warn({ err, remote: this.remote }, 'Closing Avro RPC connection: incompatible client protocol.');
        this.closing = true;
        this.io.end();
        return;
      }
      this.handshaken = true;
      hs = answer.bytes;
      pos = offset;
    }
    let kind: MessageKind;
    let events: Event[];
    try {
      const r = new AvroReader(message, pos);
      r.skipBytesMap();
      const name = r.string();
      if (name === '') {
        this.write(encodeHandshakeOnly(serial, hs));
        return;
      }
      if (name !== 'append' && name !== 'appendBatch') {
        throw new SluiceError('SLUICE_RPC_PROTOCOL', `Unknown message "${name}".`);
      }
      kind = name;
      events = decodeParams(r, kind);
    } catch (err) {
      // The pack was well framed, so the stream is intact: answer with an Avro error as Java does.
      this.ctx.logger.warn({ err, remote: this.remote, serial }, 'Avro RPC call could not be decoded.');
      this.write(encodeErrorResponse(serial, hs, (err as Error).message));
      return;
    }
    this.inFlight++;
    this.run(serial, hs, events, kind);
  }

  private run(serial: number, hs: Buffer, events: Event[], kind: MessageKind): void {
    let pending: Promise<Status>;
    try {
      pending = this.ctx.handler(events, kind);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending
      .then((status) => {
        if (STATUSES.includes(status)) return status;
        throw new Error(`handler returned ${String(status)}, not a Status`);
      })
      .catch((err: unknown) => {
        this.ctx.logger.warn({ err, remote: this.remote, kind, events: events.length }, 'Avro RPC handler failed; answering FAILED.');
        return 'FAILED' as const;
      })
      .then((status) => {
        this.inFlight--;
        this.write(encodeResponse(serial, hs, status));
        if (this.closing) {
          if (this.inFlight === 0) this.io.end();
          return;
        }
        while (this.queue.length > 0 && this.inFlight < this.ctx.maxInFlight && !this.closing) {
          const [s, m] = this.queue.shift()!;
          this.dispatchGuarded(s, m);
        }
        this.flow();
      });
  }

  private dispatchGuarded(serial: number, message: Buffer): void {
    try {
      this.dispatch(serial, message);
    } catch (err) {
      this.fail(err);
    }
  }

  private write(pack: Buffer): void {
    if (this.failed || this.io.writableEnded) return;
    if (!this.io.write(pack)) {
      this.waitingDrain = true;
      this.flow();
    }
  }

  private flow(): void {
    const blocked = this.closing || this.waitingDrain || this.queue.length > 0 || this.inFlight >= this.ctx.maxInFlight;
    if (blocked) this.io.pause();
    else this.io.resume();
  }

  /** Closes this connection only; the server keeps serving the others. */
  private fail(cause: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const err =
      cause instanceof SluiceError
        ? cause
        : new SluiceError('SLUICE_RPC_CLOSED', `Connection error: ${(cause as Error).message}`, { cause });
    // A peer that just goes away is routine; anything else means a broken or mismatched peer.
    const routine = ['ECONNRESET', 'EPIPE'].includes((cause as NodeJS.ErrnoException).code ?? '');
    const fields = { err, code: err.code, remote: this.remote };
    if (routine) this.ctx.logger.info(fields, 'Avro RPC connection reset by the peer.');
    else this.ctx.logger.warn(fields, `Closing Avro RPC connection: ${err.message}`);
    this.io.destroy();
    this.socket.destroy();
  }
}
