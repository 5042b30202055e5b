import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { constants, inflateSync } from 'node:zlib';
import { AvroRpcClient, type AvroRpcClientOptions } from '../../src/avro-rpc/client.ts';
import { AvroRpcServer } from '../../src/avro-rpc/server.ts';
import { clientTlsOptions, serverTlsOptions } from '../../src/avro-rpc/tls-options.ts';
import type { Compression } from '../../src/avro-rpc/transport.ts';
import { makeCerts, type TestCerts } from './certs.ts';

let certs: TestCerts;
const servers: AvroRpcServer[] = [];
before(() => {
  certs = makeCerts();
});
after(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
  certs.remove();
});

const EVENT = { headers: { host: 'a' }, body: Buffer.from('hi') };
const code = (c: string) => (err: Error & { code?: string }) => err.code === c;

async function tlsServer(keystore: string, compression: Compression = 'none', keystorePassword?: string) {
  let received = 0;
  const server = new AvroRpcServer(
    { host: '127.0.0.1', port: 0, compression, tls: serverTlsOptions({ keystore, ...(keystorePassword ? { keystorePassword } : {}) }) },
    async (events) => {
      received += events.length;
      return 'OK';
    },
  );
  servers.push(server);
  const { port } = await server.listen();
  return { port, received: () => received };
}

async function roundTrip(port: number, opts: Partial<AvroRpcClientOptions>): Promise<void> {
  const client = await AvroRpcClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 3000, ...opts });
  assert.deepEqual(await Promise.all([client.appendBatch([EVENT, EVENT]), client.append(EVENT)]), ['OK', 'OK']);
  await client.close();
}

test('TLS with a PEM keystore and a PEM truststore, hostname checked', async () => {
  const s = await tlsServer(certs.localhostPem);
  await roundTrip(s.port, { tls: { truststore: certs.localhostCert } });
  assert.equal(s.received(), 3);
});

test('TLS inside deflate with a PKCS12 keystore', async () => {
  const s = await tlsServer(certs.localhostP12, 'deflate', 'secret');
  await roundTrip(s.port, { compression: 'deflate', tls: { truststore: certs.localhostCert } });
  assert.equal(s.received(), 3);
});

test('with TLS and deflate, zlib is outside and TLS inside (Flume 1.10+ order)', async () => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const connecting = AvroRpcClient.connect({
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    compression: 'deflate',
    tls: { trustAllCerts: true },
    connectTimeoutMs: 300,
  });
  const [socket] = (await accepted) as [net.Socket];
  await assert.rejects(connecting, code('SLUICE_RPC_TIMEOUT'));
  server.close();
  const wire = socket.read() as Buffer;
  socket.destroy();
  assert.deepEqual(wire.subarray(0, 2), Buffer.from('789c', 'hex'));
  const inner = inflateSync(wire, { finishFlush: constants.Z_SYNC_FLUSH });
  assert.deepEqual(inner.subarray(0, 2), Buffer.from('1603', 'hex'));
});

test('hostname verification is on by default and can be switched off as Flume does', async () => {
  const s = await tlsServer(certs.wrongPem);
  await assert.rejects(
    AvroRpcClient.connect({ host: '127.0.0.1', port: s.port, tls: { truststore: certs.wrongCert } }),
    (err: Error & { code?: string; cause?: { code?: string } }) =>
      err.code === 'SLUICE_RPC_CLOSED' && err.cause?.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
  );
  await roundTrip(s.port, { tls: { truststore: certs.wrongCert, verifyHostname: false } });
  await assert.rejects(
    AvroRpcClient.connect({ host: '127.0.0.1', port: s.port, tls: { truststore: certs.localhostCert, verifyHostname: false } }),
    code('SLUICE_RPC_CLOSED'),
  );
  await roundTrip(s.port, { tls: { trustAllCerts: true } });
});

test('JKS keystores and non-PEM truststores are refused with a message naming the key', () => {
  assert.throws(
    () => serverTlsOptions({ keystore: certs.jks }),
    (err: Error & { code?: string }) => err.code === 'SLUICE_CONFIG_UNSUPPORTED' && /keystore .* JKS keystore/.test(err.message),
  );
  assert.throws(
    () => clientTlsOptions({ truststore: certs.localhostP12 }),
    (err: Error & { code?: string }) => err.code === 'SLUICE_CONFIG_UNSUPPORTED' && /truststore/.test(err.message),
  );
});

test('include/exclude-protocols narrow the TLS versions', () => {
  const only12 = clientTlsOptions({ includeProtocols: 'TLSv1 TLSv1.2' });
  assert.deepEqual([only12.minVersion, only12.maxVersion], ['TLSv1.2', 'TLSv1.2']);
  const no12 = serverTlsOptions({ keystore: certs.localhostPem, excludeProtocols: 'SSLv3 TLSv1.2' });
  assert.deepEqual([no12.minVersion, no12.maxVersion], ['TLSv1.3', 'TLSv1.3']);
  assert.throws(() => clientTlsOptions({ includeProtocols: 'TLSv1.1' }), code('SLUICE_CONFIG_BAD_VALUE'));
});
