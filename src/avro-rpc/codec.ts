/**
 * Call and response messages of AvroSourceProtocol (Avro RPC "call format") and the
 * `AvroFlumeEvent` codec. Packs are laid out the way Java's Requestor/Responder split them
 * (request: [handshake + metadata + name][parameters]; response: [handshake][metadata][flag + value]),
 * so our bytes equal Java's for the same call. Each pack is built in one allocation.
 *
 * Decoded bodies are subarrays of the message buffer: the received bytes are copied once (when
 * the framing joins a pack's pieces), never per event. An event kept alive keeps its whole
 * message buffer alive, which a FIFO channel releases batch by batch.
 */
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';
import { type AvroReader, longSize, writeLong } from './avro-binary.ts';
import { allocPack } from './framing.ts';
import { type MessageKind, STATUSES, type Status } from './protocol.ts';

const EMPTY = Buffer.alloc(0);

/** Empty call metadata (`00`) followed by the message name as an Avro string. */
const CALL_HEADS: Record<MessageKind | 'ping', Buffer> = {
  ping: Buffer.from([0, 0]),
  append: Buffer.from([0, 12, ...Buffer.from('append')]),
  appendBatch: Buffer.from([0, 22, ...Buffer.from('appendBatch')]),
};

const STATUS_BYTES: Record<Status, number> = { OK: 0, FAILED: 2, UNKNOWN: 4 };

/**
 * Encoded sizes are computed in a first pass; UTF-8 lengths of header strings are kept in `lens`
 * (per event: entry count, then key and value lengths) so the write pass does not measure again.
 */
function eventSize(e: Event, lens: number[]): number {
  const h = e.headers;
  const at = lens.length;
  lens.push(0);
  let size = 0;
  let n = 0;
  for (const k in h) {
    const kl = Buffer.byteLength(k);
    const vl = Buffer.byteLength(h[k]!);
    lens.push(kl, vl);
    size += longSize(kl) + kl + longSize(vl) + vl;
    n++;
  }
  lens[at] = n;
  if (n > 0) size += longSize(n);
  return size + 1 + longSize(e.body.length) + e.body.length;
}

/** Short ASCII strings (most header keys and values) are copied by hand: much cheaper than `write`. */
function writeString(buf: Buffer, pos: number, s: string, byteLength: number): number {
  if (byteLength === s.length && byteLength < 48) {
    for (let i = 0; i < byteLength; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + byteLength;
  }
  return pos + buf.write(s, pos, byteLength, 'utf8');
}

class EventWriter {
  li = 0;
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly lens: number[],
  ) {}

  event(e: Event): void {
    const { buf, lens } = this;
    let pos = this.pos;
    const n = lens[this.li++]!;
    if (n > 0) {
      pos = writeLong(buf, pos, n);
      const h = e.headers;
      for (const k in h) {
        const kl = lens[this.li++]!;
        const vl = lens[this.li++]!;
        pos = writeString(buf, writeLong(buf, pos, kl), k, kl);
        pos = writeString(buf, writeLong(buf, pos, vl), h[k]!, vl);
      }
    }
    buf[pos++] = 0;
    const body = e.body;
    pos = writeLong(buf, pos, body.length);
    buf.set(body, pos);
    this.pos = pos + body.length;
  }
}

/**
 * Each event as a bare `AvroFlumeEvent` datum (headers map, then body): the record values of Flume's
 * Kafka sink and channel with `useFlumeEventFormat`. One allocation per batch; values are views into it.
 */
export function encodeEventData(events: readonly Event[]): Buffer[] {
  const lens: number[] = [];
  let size = 0;
  for (let i = 0; i < events.length; i++) size += eventSize(events[i]!, lens);
  const w = new EventWriter(Buffer.allocUnsafe(size), 0, lens);
  const out = new Array<Buffer>(events.length);
  for (let i = 0; i < events.length; i++) {
    const start = w.pos;
    w.event(events[i]!);
    out[i] = w.buf.subarray(start, w.pos);
  }
  return out;
}

export interface EncodeOptions {
  /** The encoded HandshakeRequest while the connection is not yet handshaken. */
  handshake?: Buffer;
  /** Where the pack is written; lets a caller reuse buffers. */
  alloc?: (size: number) => Buffer;
}

/** A request pack. `appendBatch` takes the whole array, `append` exactly one event. */
export function encodeCall(serial: number, kind: MessageKind, events: readonly Event[], opts: EncodeOptions = {}): Buffer {
  const handshake = opts.handshake ?? EMPTY;
  if (kind === 'append' && events.length !== 1) {
    throw new SluiceError('SLUICE_RPC_PROTOCOL', `append carries exactly one event, got ${events.length}.`);
  }
  const lens: number[] = [];
  let params = 0;
  for (let i = 0; i < events.length; i++) params += eventSize(events[i]!, lens);
  if (kind === 'appendBatch') params += events.length > 0 ? longSize(events.length) + 1 : 1;
  const head = CALL_HEADS[kind];
  const { pack, offsets } = allocPack(serial, [handshake.length + head.length, params], opts.alloc);
  handshake.copy(pack, offsets[0]);
  head.copy(pack, offsets[0]! + handshake.length);
  const w = new EventWriter(pack, offsets[1]!, lens);
  if (kind === 'append') {
    w.event(events[0]!);
    return pack;
  }
  if (events.length > 0) {
    w.pos = writeLong(pack, w.pos, events.length);
    for (let i = 0; i < events.length; i++) w.event(events[i]!);
  }
  pack[w.pos] = 0;
  return pack;
}

/** A handshake-only request (empty message name): how a connection is opened before pipelining. */
export function encodePing(serial: number, handshake: Buffer): Buffer {
  const { pack, offsets } = allocPack(serial, [handshake.length + 2]);
  handshake.copy(pack, offsets[0]);
  CALL_HEADS.ping.copy(pack, offsets[0]! + handshake.length);
  return pack;
}

/** Decodes the parameters of a call; `r` is positioned after the message name. */
export function decodeParams(r: AvroReader, kind: MessageKind): Event[] {
  if (kind === 'append') return [readEvent(r)];
  const events: Event[] = [];
  for (let n = r.blockCount(); n !== 0; n = r.blockCount()) {
    for (let i = 0; i < n; i++) events.push(readEvent(r));
  }
  return events;
}

function readEvent(r: AvroReader): Event {
  const headers = r.stringMap();
  return { headers, body: r.bytes() };
}

export function encodeResponse(serial: number, handshake: Buffer, status: Status): Buffer {
  const { pack, offsets } = allocPack(serial, [handshake.length, 1, 2]);
  handshake.copy(pack, offsets[0]);
  pack[offsets[1]!] = 0;
  pack[offsets[2]!] = 0;
  pack[offsets[2]! + 1] = STATUS_BYTES[status];
  return pack;
}

/** An error response: the message's error union is `["string"]`, so branch 0 and the text. */
export function encodeErrorResponse(serial: number, handshake: Buffer, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const { pack, offsets } = allocPack(serial, [handshake.length, 1, 2 + longSize(text.length) + text.length]);
  handshake.copy(pack, offsets[0]);
  pack[offsets[1]!] = 0;
  let pos = offsets[2]!;
  pack[pos++] = 1;
  pack[pos++] = 0;
  pos = writeLong(pack, pos, text.length);
  text.copy(pack, pos);
  return pack;
}

/** The answer to a ping or to a request whose handshake did not match: the handshake alone. */
export function encodeHandshakeOnly(serial: number, handshake: Buffer): Buffer {
  const { pack, offsets } = allocPack(serial, [handshake.length]);
  handshake.copy(pack, offsets[0]);
  return pack;
}

/**
 * Reads a call response from `r` (after any handshake). An Avro error response becomes a
 * `SLUICE_RPC_FAILED` error carrying the remote text.
 */
export function decodeResponse(r: AvroReader): Status {
  r.skipBytesMap();
  if (r.boolean()) {
    const branch = r.long();
    const text = branch === 0 ? r.string() : `error union branch ${branch}`;
    throw new SluiceError('SLUICE_RPC_FAILED', `The server answered with an error: ${text}`, { remote: text });
  }
  const index = r.long();
  const status = STATUSES[index];
  if (status === undefined) throw new SluiceError('SLUICE_RPC_PROTOCOL', `Unknown Status index ${index}.`);
  return status;
}
