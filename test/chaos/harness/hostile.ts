/**
 * Hostile peers of an aggregator's TLS avro source: clients that pass TLS and then send frames that
 * break Avro's Netty framing (a negative buffer count, more buffers than allowed, a buffer larger than
 * `max-pack-bytes`), and clients that should never get through: plain TCP, and TLS that does not
 * trust the aggregator's certificate. Each check throws with what went wrong; the caller checks that
 * the aggregator logged every rejection and kept serving.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { AvroRpcClient } from '../../../src/avro-rpc/client.ts';

/** Pack header (serial, buffer count) followed by raw bytes. */
function frame(count: number, rest: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(1, 0);
  head.writeInt32BE(count, 4);
  return Buffer.concat([head, rest]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** Name → bytes of each malformed or oversized frame; `maxPackBytes` is the source's limit. */
export function hostileFrames(maxPackBytes: number): [string, Buffer][] {
  return [
    ['a negative buffer count', frame(-1)],
    ['more buffers than any pack may hold', frame(1 << 20)],
    ['a buffer larger than max-pack-bytes', frame(1, Buffer.concat([int32(maxPackBytes * 16), Buffer.alloc(1024, 0x41)]))],
  ];
}

/** Sends `bytes` over TLS (trusting `caFile`) and resolves once the server has closed the connection. */
export async function sendAndExpectClose(port: number, caFile: string, bytes: Buffer, timeoutMs = 10_000): Promise<void> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(caFile) });
  socket.on('error', () => {}); // the server cutting us off is the expected outcome
  try {
    await once(socket, 'secureConnect');
    const closed = once(socket, 'close');
    socket.write(bytes);
    const timer = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), timeoutMs).unref());
    assert.notEqual(await Promise.race([closed.then(() => 'closed' as const), timer]), 'open', `the connection was still open ${timeoutMs} ms after the frame`);
  } finally {
    socket.destroy();
  }
}

/** Connects an Avro RPC client; resolves with the error it failed with, or undefined if it got through. */
async function tryClient(port: number, clientTls?: { truststore?: string }): Promise<Error | undefined> {
  try {
    const client = await AvroRpcClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 5000, requestTimeoutMs: 5000, ...(clientTls ? { tls: clientTls } : {}) });
    await client.close();
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/**
 * A plain-TCP client and a TLS client with only the system's CAs must both fail; a TLS client trusting
 * the test CA must get through, which shows the first two were refused for what they are.
 */
export async function untrustedClients(port: number, caFile: string): Promise<string> {
  const plain = await tryClient(port);
  assert.ok(plain, 'a plain-TCP client got through to a TLS avro source');
  const untrusting = await tryClient(port, {});
  assert.ok(untrusting, 'a TLS client that does not trust the certificate got through: certificate checks are off');
  const trusting = await tryClient(port, { truststore: caFile });
  assert.equal(trusting, undefined, `a TLS client trusting the CA was refused: ${trusting?.message}`);
  return `plain TCP: ${plain.message}; untrusted certificate: ${untrusting.message}`;
}
