/**
 * Client side of the handshake, done once per connection before any call: send a ping carrying a
 * HandshakeRequest, and on NONE send it again with our protocol text. Like Java's Requestor, the
 * server hash learned from a server is remembered per address, so later connections to it match
 * at once even when the server renders the protocol differently.
 */
import type { Duplex } from 'node:stream';
import { SluiceError } from '../errors.ts';
import { encodePing } from './codec.ts';
import { type PackLimits, PackDecoder } from './framing.ts';
import { encodeHandshakeRequest, protocolMismatch, readHandshakeResponse } from './handshake.ts';
import { PROTOCOL_HASH } from './protocol.ts';

const serverHashes = new Map<string, Buffer>();

function handshakeError(where: string, why: string): SluiceError {
  return new SluiceError('SLUICE_RPC_HANDSHAKE', `Avro RPC handshake with ${where} failed: ${why}.`);
}

/** Reads exactly one pack from `io`, then leaves it paused for the next reader. */
function readPack(io: Duplex, limits: PackLimits, signal: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const done = (err: Error | undefined, message?: Buffer) => {
      io.off('data', onData);
      io.off('error', onError);
      io.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      io.pause();
      if (err) reject(err);
      else resolve(message!);
    };
    const decoder = new PackDecoder(limits, (_serial, message) => done(undefined, message));
    const onData = (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (err) {
        done(err as Error);
      }
    };
    const onError = (err: Error) => done(err);
    const onClose = () => done(new SluiceError('SLUICE_RPC_CLOSED', 'The server closed the connection during the handshake.'));
    const onAbort = () => done(signal.reason as Error);
    io.on('data', onData);
    io.once('error', onError);
    io.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    io.resume();
  });
}

/** Handshakes on a fresh connection to `where` ("host:port"); resolves with the next free serial. */
export async function openHandshake(io: Duplex, where: string, limits: PackLimits, signal: AbortSignal): Promise<number> {
  let serial = 1;
  let sendProtocol = false;
  for (;;) {
    io.write(encodePing(serial++, encodeHandshakeRequest(serverHashes.get(where) ?? PROTOCOL_HASH, sendProtocol)));
    const { value } = readHandshakeResponse(await readPack(io, limits, signal));
    if (value.match !== 'BOTH') {
      if (value.serverProtocol === null || value.serverHash === null) {
        throw handshakeError(where, `the answer ${value.match} lacks the server's protocol`);
      }
      const mismatch = protocolMismatch(value.serverProtocol);
      if (mismatch) throw handshakeError(where, `the server's protocol is incompatible: ${mismatch}`);
      serverHashes.set(where, value.serverHash);
    }
    if (value.match !== 'NONE') return serial;
    if (sendProtocol) throw handshakeError(where, 'the server did not accept our protocol');
    sendProtocol = true;
  }
}
