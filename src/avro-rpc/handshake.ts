/**
 * Avro RPC handshake (`org.apache.avro.ipc.HandshakeRequest`/`HandshakeResponse`), decided the way
 * Java's `Responder` does, so Java clients behave as they do against Flume:
 * - the answer to an unknown client protocol is NONE and always carries `serverProtocol` and
 *   `serverHash` (Java's `Requestor` reads `serverProtocol` unconditionally on NONE; leaving it
 *   null makes it fail until its JVM restarts);
 * - any match other than BOTH carries them too; `meta` is null.
 * Handshake records are off the hot path, so avsc encodes them.
 */
import avro from 'avsc';
import { SluiceError } from '../errors.ts';
import { PROTOCOL, PROTOCOL_HASH, PROTOCOL_JSON } from './protocol.ts';

const MAP_BYTES = { type: 'map', values: 'bytes' } as const;
const requestType = avro.Type.forSchema({
  type: 'record',
  name: 'HandshakeRequest',
  namespace: 'org.apache.avro.ipc',
  fields: [
    { name: 'clientHash', type: { type: 'fixed', name: 'MD5', size: 16 } },
    { name: 'clientProtocol', type: ['null', 'string'] },
    { name: 'serverHash', type: 'MD5' },
    { name: 'meta', type: ['null', MAP_BYTES] },
  ],
});
const responseType = avro.Type.forSchema({
  type: 'record',
  name: 'HandshakeResponse',
  namespace: 'org.apache.avro.ipc',
  fields: [
    { name: 'match', type: { type: 'enum', name: 'HandshakeMatch', symbols: ['BOTH', 'CLIENT', 'NONE'] } },
    { name: 'serverProtocol', type: ['null', 'string'] },
    { name: 'serverHash', type: ['null', { type: 'fixed', name: 'MD5', size: 16 }] },
    { name: 'meta', type: ['null', MAP_BYTES] },
  ],
});

export type HandshakeMatch = 'BOTH' | 'CLIENT' | 'NONE';

export interface HandshakeRequest {
  clientHash: Buffer;
  clientProtocol: string | null;
  serverHash: Buffer;
  meta: Record<string, Buffer> | null;
}

export interface HandshakeResponse {
  match: HandshakeMatch;
  serverProtocol: string | null;
  serverHash: Buffer | null;
  meta: Record<string, Buffer> | null;
}

function decode<T>(type: avro.Type, what: string, buf: Buffer, pos: number): { value: T; offset: number } {
  let result: { value: T; offset: number };
  try {
    result = type.decode(buf, pos);
  } catch (cause) {
    throw new SluiceError('SLUICE_RPC_HANDSHAKE', `Malformed ${what}.`, { cause });
  }
  if (result.offset < 0) throw new SluiceError('SLUICE_RPC_HANDSHAKE', `Truncated ${what}.`);
  return result;
}

export function readHandshakeRequest(buf: Buffer, pos = 0): { value: HandshakeRequest; offset: number } {
  return decode(requestType, 'handshake request', buf, pos);
}

export function readHandshakeResponse(buf: Buffer, pos = 0): { value: HandshakeResponse; offset: number } {
  return decode(responseType, 'handshake response', buf, pos);
}

/** What a Java `Requestor` sends: our hash, the server hash it believes in, an empty meta map. */
export function encodeHandshakeRequest(serverHash: Buffer, sendProtocol: boolean): Buffer {
  return requestType.toBuffer({
    clientHash: PROTOCOL_HASH,
    clientProtocol: sendProtocol ? PROTOCOL_JSON : null,
    serverHash,
    meta: {},
  });
}

const ours = avro.Service.forProtocol(PROTOCOL);

/**
 * Why a peer's protocol text cannot carry our messages, or undefined when it can: every message
 * both protocols name must have the same request, response and error schemas (canonical form).
 */
export function protocolMismatch(text: string): string | undefined {
  let theirs: avro.Service;
  try {
    theirs = avro.Service.forProtocol(JSON.parse(text));
  } catch (err) {
    return `the protocol does not parse (${(err as Error).message})`;
  }
  for (const name of Object.keys(PROTOCOL.messages)) {
    const a = theirs.message(name);
    const b = ours.message(name);
    if (!a) continue;
    for (const part of ['requestType', 'responseType', 'errorType'] as const) {
      if (!a[part].equals(b[part])) return `message "${name}" has a different ${part.replace('Type', '')} schema`;
    }
  }
  return undefined;
}

const ANSWERS: Record<HandshakeMatch, Buffer> = {
  BOTH: responseType.toBuffer({ match: 'BOTH', serverProtocol: null, serverHash: null, meta: null }),
  CLIENT: responseType.toBuffer({ match: 'CLIENT', serverProtocol: PROTOCOL_JSON, serverHash: PROTOCOL_HASH, meta: null }),
  NONE: responseType.toBuffer({ match: 'NONE', serverProtocol: PROTOCOL_JSON, serverHash: PROTOCOL_HASH, meta: null }),
};

/** Client protocols remembered per server; a hostile peer cannot grow the cache past this. */
const MAX_KNOWN_PROTOCOLS = 64;

/** Server-side decision, shared by all connections of one server (as Java's Responder caches). */
export class ServerHandshake {
  /** Client protocol hash (hex) → why it is incompatible, or undefined when it is compatible. */
  private readonly known = new Map<string, string | undefined>([[PROTOCOL_HASH.toString('hex'), undefined]]);

  answer(req: HandshakeRequest): { match: HandshakeMatch; bytes: Buffer; mismatch: string | undefined } {
    const key = req.clientHash.toString('hex');
    let known = this.known.has(key);
    let mismatch = this.known.get(key);
    if (!known && req.clientProtocol !== null) {
      mismatch = protocolMismatch(req.clientProtocol);
      known = true;
      if (this.known.size < MAX_KNOWN_PROTOCOLS) this.known.set(key, mismatch);
    }
    const match: HandshakeMatch = !known ? 'NONE' : req.serverHash.equals(PROTOCOL_HASH) ? 'BOTH' : 'CLIENT';
    return { match, bytes: ANSWERS[match], mismatch };
  }
}
