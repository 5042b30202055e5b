/**
 * `avro` source (org.apache.flume.source.AvroSource): receives `append`/`appendBatch` calls from
 * Flume avro sinks (or Sluice's) and puts each call's events into the channels in one batch.
 * A call is answered OK once every required channel committed it and FAILED otherwise, so the
 * sender keeps the events and retries (Flume answers the same; it never answers UNKNOWN).
 *
 * `ack = delivered` (Sluice only) answers OK only once the sinks have delivered the call's events,
 * so with a memory channel a crash of this agent loses nothing: the upstream sink still holds every
 * unanswered batch and resends it. It costs one downstream delivery of latency per call (the
 * upstream sink's batch waits for this agent's sink), so give upstream sinks `max-in-flight` > 1 and
 * a `request-timeout` longer than this agent's delivery time.
 *
 * Deviations: `keystore` must be PEM or PKCS12 (Node cannot read JKS; the file's content decides,
 * not `keystore-type`); cipher-suite lists are Java names Node does not know and are ignored with a
 * warning; `threads` is ignored as in Flume 1.10+. Keystore settings fall back to Flume's
 * `FLUME_SSL_KEYSTORE_*` environment variables.
 */
import type { SecureContextOptions } from 'node:tls';
import { type AvroRpcHandler, AvroRpcServer } from '../avro-rpc/server.ts';
import { serverTlsOptions } from '../avro-rpc/tls-options.ts';
import { type OptionsOf, opt } from '../config/schema.ts';
import { defineSource, type Source, type SourceContext } from '../core/component.ts';
import { SluiceError } from '../errors.ts';

const options = {
  bind: opt.string('Address to listen on.', { required: true }),
  port: opt.int('Port to listen on.', { required: true, min: 0, max: 65535 }),
  threads: opt.unsupported('Worker threads; Flume 1.10+ ignores it too.'),
  'compression-type': opt.enum('`deflate` to zlib the whole stream; must match the senders.', ['none', 'deflate'], {
    default: 'none',
  }),
  ssl: opt.bool('Serve TLS.', { default: false }),
  keystore: opt.string('PEM (key and certificate chain) or PKCS12 file; required with ssl.'),
  'keystore-password': opt.string('Password of the keystore or of its PEM key.'),
  'keystore-type': opt.enum('Informational: the file content decides; JKS files are refused.', ['JKS', 'PKCS12', 'PEM']),
  'include-protocols': opt.list('TLS versions to allow (TLSv1.2, TLSv1.3).'),
  'exclude-protocols': opt.list('TLS versions to refuse.', { default: ['SSLv3'] }),
  'include-cipher-suites': opt.unsupported('Java cipher-suite names; Node uses its own defaults.'),
  'exclude-cipher-suites': opt.unsupported('Java cipher-suite names; Node uses its own defaults.'),
  ipFilter: opt.bool('Filter connections by ipFilterRules.', { default: false }),
  ipFilterRules: opt.string('Comma-separated `allow|deny:ip|name:pattern` rules, first match wins, no match accepts.'),
  'max-connections': opt.int('Sluice only: connections beyond this are closed at once.', { default: 1024, min: 1 }),
  'max-pack-bytes': opt.int('Sluice only: largest request accepted; a bigger one closes its connection.', {
    default: 64 * 1024 * 1024,
    min: 1024,
  }),
  'max-calls-per-connection': opt.int('Sluice only: calls of one connection put at once.', { default: 4, min: 1 }),
  ack: opt.enum('Sluice only: answer OK once the channels `accepted` the events (Flume) or once the sinks `delivered` them.', ['accepted', 'delivered'], {
    default: 'accepted',
  }),
};

type Options = OptionsOf<typeof options>;

/** Failures are logged at most this often: a full channel fails every call until it drains. */
const FAILURE_LOG_INTERVAL_MS = 5000;

class AvroSource implements Source {
  private server: AvroRpcServer | undefined;
  private lastFailureLog = 0;
  private failuresSinceLog = 0;

  constructor(
    private readonly ctx: SourceContext,
    private readonly o: Options,
    private readonly tls: SecureContextOptions | undefined,
  ) {}

  async start(): Promise<void> {
    if (this.server) return;
    const { o, ctx } = this;
    ctx.counter.start();
    const server = new AvroRpcServer(
      {
        host: o.bind,
        port: o.port,
        compression: o['compression-type'],
        ...(this.tls ? { tls: this.tls } : {}),
        ...(o.ipFilter ? { ipFilterRules: o.ipFilterRules! } : {}),
        maxConnections: o['max-connections'],
        maxInFlightPerConnection: o['max-calls-per-connection'],
        limits: { maxPackBytes: o['max-pack-bytes'] },
        logger: ctx.logger,
        onConnections: (n) => {
          ctx.counter.openConnections = n;
        },
      },
      this.receive,
    );
    const address = await server.listen();
    this.server = server;
    ctx.logger.info({ address: address.address, port: address.port }, 'Avro source listening.');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await server.close();
    this.ctx.counter.stop();
  }

  private readonly receive: AvroRpcHandler = async (events, kind) => {
    const counter = this.ctx.counter;
    if (kind === 'append') counter.appendReceived++;
    else counter.appendBatchReceived++;
    counter.eventReceived += events.length;
    try {
      const token = await this.ctx.processor.processBatch(events);
      if (this.o.ack === 'delivered') await token.delivered;
    } catch (err) {
      counter.channelWriteFail++;
      this.logFailure(err, events.length);
      return 'FAILED';
    }
    if (kind === 'append') counter.appendAccepted++;
    else counter.appendBatchAccepted++;
    counter.eventAccepted += events.length;
    return 'OK';
  };

  private logFailure(err: unknown, events: number): void {
    this.failuresSinceLog++;
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    const hint =
      events > this.ctx.maxBatch
        ? ` The batch of ${events} is larger than the channels' transactionCapacity (${this.ctx.maxBatch}); lower the sender's batch-size.`
        : '';
    this.ctx.logger.warn(
      { err, events, failures: this.failuresSinceLog },
      `Avro source could not put a batch; the sender was answered FAILED and will retry.${hint}`,
    );
    this.lastFailureLog = now;
    this.failuresSinceLog = 0;
  }
}

/** Read when the agent is built, so a missing or unreadable keystore stops it from starting. */
function tlsFor(o: Options): SecureContextOptions {
  const keystore = o.keystore ?? process.env['FLUME_SSL_KEYSTORE_PATH'];
  if (!keystore) {
    throw new SluiceError('SLUICE_CONFIG_MISSING_KEY', 'ssl = true needs keystore (or FLUME_SSL_KEYSTORE_PATH).', {
      key: 'keystore',
    });
  }
  const password = o['keystore-password'] ?? process.env['FLUME_SSL_KEYSTORE_PASSWORD'];
  return serverTlsOptions({
    keystore,
    ...(password ? { keystorePassword: password } : {}),
    includeProtocols: (o['include-protocols'] ?? []).join(' '),
    excludeProtocols: o['exclude-protocols'].join(' '),
  });
}

export const avroSource = defineSource({
  type: 'avro',
  flumeClass: 'org.apache.flume.source.AvroSource',
  description: 'Receives events from Avro RPC senders (Flume avro sinks, Sluice avro sinks, Flume RPC clients).',
  options,
  create: (o, ctx) => {
    if (o.ipFilter && !o.ipFilterRules) {
      throw new SluiceError('SLUICE_CONFIG_MISSING_KEY', 'ipFilter = true needs ipFilterRules.', { key: 'ipFilterRules' });
    }
    return new AvroSource(ctx, o, o.ssl ? tlsFor(o) : undefined);
  },
});
