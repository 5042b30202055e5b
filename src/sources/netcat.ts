/**
 * `netcat` source (org.apache.flume.source.NetcatSource): listens on a TCP port and turns every
 * `\n`-terminated line into an event whose body is the line in UTF-8 (decoded from `encoding`; a
 * `\r` before the `\n` stays in the body, as in Flume). With `ack-every-event` each event is
 * answered `OK\n`; an event the channel refused is answered `FAILED: <reason>\n` whatever that key
 * says, so the sender always learns of a loss. A line of `max-line-length` characters or more
 * (counting its `\n`) is answered with Flume's FAILED message and the connection is closed.
 *
 * Lines that arrive together are put as one batch (at most the channel's transaction capacity) and
 * answered together, in order. While a batch is being put, reading pauses once another batch is
 * waiting, so a slow or full channel slows the sender down through TCP instead of piling up lines.
 *
 * It cannot replay after a crash: lines read but not yet answered are lost with the process; the
 * sender sees no answer for them. Deviation: a last line without `\n` before the sender closes its
 * side is still an event (Flume drops it).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { opt } from '../config/schema.ts';
import { defineSource, type Source, type SourceContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';
import { type Charset, charsets, LineQueue, LineSplitter, nodeEncoding } from './util/lines.ts';

export interface NetcatOptions {
  bind: string;
  port: number;
  maxLineLength: number;
  ackEveryEvent: boolean;
  encoding: Charset;
}

class Connection {
  private readonly splitter: LineSplitter;
  private readonly queue = new LineQueue();
  private pumping: Promise<void> | undefined;
  private ended = false;
  private overflow = false;

  constructor(
    private readonly socket: Socket,
    private readonly o: NetcatOptions,
    private readonly ctx: SourceContext,
  ) {
    this.splitter = new LineSplitter(o.encoding, false);
    // Answers are small and a sender may wait for each before sending more: do not hold them back.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('end', () => {
      this.ended = true;
      const last = this.splitter.end();
      if (last !== undefined && !this.overflow) this.queue.lines.push(last);
      this.pump();
    });
    socket.on('error', (err) => ctx.logger.debug({ err }, 'Netcat connection failed; it is closed.'));
  }

  private read(chunk: Buffer): void {
    if (this.overflow) return;
    const lines = this.queue.lines;
    const from = lines.length;
    this.splitter.push(chunk, lines);
    const max = this.o.maxLineLength;
    for (let i = from; i < lines.length; i++) {
      if (lines[i]!.length >= max) {
        lines.length = i;
        this.overflow = true;
      }
    }
    if (this.splitter.pendingLength >= max) this.overflow = true;
    if (this.overflow) this.socket.pause();
    this.pump();
  }

  /** Puts queued lines batch by batch; only one pump runs per connection, so answers keep line order. */
  private pump(): void {
    if (this.pumping) {
      if (this.queue.size >= this.ctx.maxBatch) this.socket.pause();
      return;
    }
    this.pumping = this.drain().finally(() => {
      this.pumping = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && !this.socket.destroyed) {
      const lines = this.queue.take(this.ctx.maxBatch);
      const reply = await this.put(lines);
      if (reply) this.socket.write(Buffer.from(reply, nodeEncoding[this.o.encoding]));
      if (!this.overflow && this.queue.size < this.ctx.maxBatch) this.socket.resume();
    }
    if (this.overflow) {
      this.ctx.counter.eventReadFail++;
      this.ctx.logger.warn(`A client sent a line of max-line-length (${this.o.maxLineLength}) characters or more; its connection is closed.`);
      const reply = `FAILED: Event exceeds the maximum length (${this.o.maxLineLength} chars, including newline)\n`;
      this.socket.end(Buffer.from(reply, nodeEncoding[this.o.encoding]), () => this.socket.destroy());
    } else if (this.ended) {
      this.socket.end();
    }
  }

  private async put(lines: string[]): Promise<string> {
    const { counter, processor, logger } = this.ctx;
    const events: Event[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) events[i] = { headers: {}, body: Buffer.from(lines[i]!, 'utf8') };
    counter.eventReceived += events.length;
    try {
      await processor.processBatch(events);
    } catch (err) {
      counter.channelWriteFail++;
      logger.warn({ err, events: events.length }, `The channel refused ${events.length} events; each is answered FAILED.`);
      return `FAILED: ${(err as Error).message.replace(/\n/g, ' ')}\n`.repeat(events.length);
    }
    counter.eventAccepted += events.length;
    return this.o.ackEveryEvent ? 'OK\n'.repeat(events.length) : '';
  }

  /** Stops reading, lets the batch in progress finish and answer, then drops the connection. */
  async close(): Promise<void> {
    this.socket.pause();
    this.queue.clear();
    await this.pumping;
    this.socket.destroy();
  }
}

class NetcatSource implements Source {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly ctx: SourceContext,
    private readonly o: NetcatOptions,
  ) {}

  async start(): Promise<void> {
    if (this.server) return;
    const { counter, logger } = this.ctx;
    counter.start();
    // Half-open: a sender may close its side right after its last line and still read the answers.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const conn = new Connection(socket, this.o, this.ctx);
      this.connections.add(conn);
      counter.openConnections++;
      socket.on('close', () => {
        this.connections.delete(conn);
        counter.openConnections--;
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.bind, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: Error) => {
      throw new SluiceError('SLUICE_SOURCE_FAILED', `netcat source cannot listen on bind "${this.o.bind}" port ${this.o.port}: ${err.message}`, { cause: err });
    });
    server.on('error', (err) => logger.error({ err }, 'Netcat server failed.'));
    this.server = server;
    logger.info(`Listening on bind "${this.o.bind}" port ${this.o.port}.`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.close()));
    await closed;
    this.ctx.counter.stop();
  }
}

export const netcatSource = defineSource({
  type: 'netcat',
  flumeClass: 'org.apache.flume.source.NetcatSource',
  description: 'Listens on a TCP port; every line a client sends becomes an event, answered OK or FAILED.',
  options: {
    bind: opt.string('Host name or address to listen on.', { required: true }),
    port: opt.int('TCP port to listen on.', { required: true, min: 0, max: 65535 }),
    'max-line-length': opt.int('Most characters per line, counting its newline.', { default: 512, min: 1 }),
    'ack-every-event': opt.bool('Answer OK for every event put (FAILED answers are always sent).', { default: true }),
    encoding: opt.enum('Charset the client writes (and is answered in); bodies are always UTF-8.', charsets, { default: 'UTF-8' }),
  },
  create: (o, ctx) =>
    new NetcatSource(ctx, { bind: o.bind, port: o.port, maxLineLength: o['max-line-length'], ackEveryEvent: o['ack-every-event'], encoding: o.encoding }),
});
