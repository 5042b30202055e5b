/**
 * `avro` sink (org.apache.flume.sink.AvroSink): takes up to `batch-size` events per transaction
 * and sends them as one `appendBatch` call; the transaction commits only on an OK answer. Any other
 * answer, a timeout or a broken connection drops the connection, and the events stay in the channel
 * to be retried on a new one (at-least-once: a timed-out batch may arrive twice).
 *
 * Deviations: TLS checks that the server certificate names `hostname` unless `verify-hostname` is
 * false (Flume never checks it); `truststore` must be a PEM file of CA certificates (Node cannot
 * read JKS), falling back to Flume's `FLUME_SSL_TRUSTSTORE_PATH` and then to Node's default CAs;
 * cipher-suite lists and `maxIoWorkers` are ignored with a warning. As in Flume, timeouts under
 * 1000 ms mean the default. `max-in-flight` (Sluice only, default 2) pipelines batches on the
 * connection: Flume waits for each answer before taking the next batch, which leaves both ends idle
 * half the time. Each batch still commits only on its own OK; after a failure, batches may arrive
 * out of order (never lost).
 */
import { AvroRpcClient, type AvroRpcClientOptions } from '../avro-rpc/client.ts';
import { type ClientTlsSettings, clientTlsOptions } from '../avro-rpc/tls-options.ts';
import { type OptionsOf, opt } from '../config/schema.ts';
import { defineSink, type SinkContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';
import { BatchingSink, IDLE_WAIT_MS } from './util/batching-sink.ts';

const options = {
  hostname: opt.string('Host of the Avro source to send to.', { required: true }),
  port: opt.int('Port of the Avro source.', { required: true, min: 1, max: 65535 }),
  'batch-size': opt.int('Events per transaction, sent as one appendBatch call.', { default: 100, min: 1 }),
  'connect-timeout': opt.int('Milliseconds to connect and handshake; under 1000 means 20000.', { default: 20000 }),
  'request-timeout': opt.int('Milliseconds to wait for an answer; under 1000 means 20000.', { default: 20000 }),
  'reset-connection-interval': opt.int('Seconds after which the connection is reopened (e.g. behind a load balancer); 0 never.', {
    default: 0,
    min: 0,
  }),
  'compression-type': opt.enum('`deflate` to zlib the whole stream; must match the source.', ['none', 'deflate'], {
    default: 'none',
  }),
  'compression-level': opt.int('zlib level with deflate.', { default: 6, min: 0, max: 9 }),
  ssl: opt.bool('Connect with TLS.', { default: false }),
  'trust-all-certs': opt.bool('Accept any server certificate.', { default: false }),
  truststore: opt.string('PEM file of trusted CA certificates; default: Node’s CAs.'),
  'truststore-password': opt.string('Not needed for PEM; accepted for Flume configurations.'),
  'truststore-type': opt.enum('Informational: the file content decides; only PEM is read.', ['JKS', 'PKCS12', 'PEM']),
  'verify-hostname': opt.bool('Sluice only: check that the certificate names `hostname`; false matches Flume.', {
    default: true,
  }),
  'include-protocols': opt.list('TLS versions to allow (TLSv1.2, TLSv1.3).'),
  'exclude-protocols': opt.list('TLS versions to refuse.', { default: ['SSLv3'] }),
  'include-cipher-suites': opt.unsupported('Java cipher-suite names; Node uses its own defaults.'),
  'exclude-cipher-suites': opt.unsupported('Java cipher-suite names; Node uses its own defaults.'),
  maxIoWorkers: opt.unsupported('Netty worker threads; Flume 1.10+ ignores it too.'),
  'max-in-flight': opt.int('Sluice only: batches sent before the first answer returns; 1 behaves as Flume.', { default: 2, min: 1, max: 64 }),
};

type Options = OptionsOf<typeof options>;

class AvroSink extends BatchingSink {
  private client: AvroRpcClient | undefined;
  private connecting: Promise<AvroRpcClient> | undefined;
  private connectedAt = 0;
  private readonly where: string;

  constructor(
    ctx: SinkContext,
    private readonly clientOptions: AvroRpcClientOptions,
    private readonly resetMs: number,
    batchSize: number,
    maxInFlight: number,
  ) {
    super(ctx, { batchSize, batchBytes: 0, batchTimeoutMs: 0, idleWaitMs: IDLE_WAIT_MS, maxInFlight });
    this.where = `${clientOptions.host}:${clientOptions.port}`;
  }

  override async stop(): Promise<void> {
    await super.stop();
    if (this.client) await this.drop(this.client);
  }

  protected async deliver(events: Event[]): Promise<void> {
    if (this.client && this.resetMs > 0 && Date.now() - this.connectedAt >= this.resetMs) await this.drop(this.client);
    const client = await this.connection();
    let status: string;
    try {
      status = await client.appendBatch(events);
    } catch (cause) {
      await this.drop(client);
      throw new SluiceError('SLUICE_DELIVERY_FAILED', `Avro sink could not deliver to ${this.where}: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (status !== 'OK') {
      await this.drop(client);
      throw new SluiceError('SLUICE_DELIVERY_FAILED', `Avro source at ${this.where} answered ${status}.`, { status });
    }
  }

  /** The live connection, opening one if needed; calls made meanwhile share the attempt. */
  private connection(): Promise<AvroRpcClient> {
    if (this.client?.alive) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<AvroRpcClient> {
    if (this.client) await this.drop(this.client);
    let client: AvroRpcClient;
    try {
      client = await AvroRpcClient.connect(this.clientOptions);
    } catch (cause) {
      this.ctx.counter.connectionFailed++;
      throw new SluiceError('SLUICE_DELIVERY_FAILED', `Avro sink could not connect to ${this.where}: ${(cause as Error).message}`, {
        cause,
      });
    }
    this.client = client;
    this.connectedAt = Date.now();
    this.ctx.counter.connectionCreated++;
    this.ctx.logger.info({ server: this.where }, 'Avro sink connected.');
    return client;
  }

  /** Closes `client` (letting its other calls finish) unless a newer connection already replaced it. */
  private async drop(client: AvroRpcClient): Promise<void> {
    if (this.client !== client) return;
    this.client = undefined;
    this.ctx.counter.connectionClosed++;
    if (client.alive) await client.close();
    else client.destroy();
  }
}

/** Flume reads a timeout under one second as "use the default". */
const timeout = (ms: number) => (ms < 1000 ? 20000 : ms);

function tlsSettings(o: Options): ClientTlsSettings {
  const truststore = o.truststore ?? process.env['FLUME_SSL_TRUSTSTORE_PATH'];
  return {
    trustAllCerts: o['trust-all-certs'],
    ...(truststore ? { truststore } : {}),
    verifyHostname: o['verify-hostname'],
    includeProtocols: (o['include-protocols'] ?? []).join(' '),
    excludeProtocols: o['exclude-protocols'].join(' '),
  };
}

export const avroSink = defineSink({
  type: 'avro',
  flumeClass: 'org.apache.flume.sink.AvroSink',
  description: 'Sends events to an Avro source (Flume or Sluice), one appendBatch call per transaction.',
  options,
  batchSizeKey: 'batch-size',
  create: (o, ctx) => {
    const tls = o.ssl ? tlsSettings(o) : undefined;
    // Reads the truststore now, so a missing or unreadable file stops the agent from starting.
    if (tls) clientTlsOptions(tls);
    const client: AvroRpcClientOptions = {
      host: o.hostname,
      port: o.port,
      connectTimeoutMs: timeout(o['connect-timeout']),
      requestTimeoutMs: timeout(o['request-timeout']),
      compression: o['compression-type'],
      compressionLevel: o['compression-level'],
      maxInFlight: o['max-in-flight'],
      ...(tls ? { tls } : {}),
    };
    return new AvroSink(ctx, client, o['reset-connection-interval'] * 1000, o['batch-size'], o['max-in-flight']);
  },
});
