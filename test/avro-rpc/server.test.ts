import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { AvroRpcServer, type AvroRpcServerOptions } from '../../src/avro-rpc/server.ts';
import { PROTOCOL, PROTOCOL_JSON } from '../../src/avro-rpc/protocol.ts';
import type { Event } from '../../src/core/event.ts';
import { hex, pack, RawPeer } from './raw-peer.ts';

const MD5 = '86aadae2c45474c0fe93ffd0f2350a65';
const HANDSHAKE = `${MD5} 00 ${MD5} 0200`;
const APPEND = '00 0c 617070656e64';
const EVENT = '02 08 686f7374 02 61 00 04 6869';
const CALL1 = `00000001 00000002 0000002b ${HANDSHAKE} ${APPEND} 0000000c ${EVENT}`;
const ANSWER1 = '00000001 00000003 00000004 00000000 00000001 00 00000002 0000';

type Handler = (events: Event[], kind: 'append' | 'appendBatch') => Promise<'OK' | 'FAILED' | 'UNKNOWN'>;

const servers: AvroRpcServer[] = [];
const peers: RawPeer[] = [];
after(async () => {
  for (const p of peers) p.close();
  await Promise.all(servers.map((s) => s.close(100)));
});

async function start(handler: Handler = async () => 'OK', opts: Partial<AvroRpcServerOptions> = {}) {
  const logs: { msg: string; code?: string }[] = [];
  const logger = {
    info: (_f: object, msg: string) => logs.push({ msg }),
    warn: (f: { err?: { code?: string } }, msg: string) => logs.push({ msg, code: f.err?.code }),
  };
  const server = new AvroRpcServer({ host: '127.0.0.1', port: 0, logger, ...opts }, handler);
  servers.push(server);
  const { port } = await server.listen();
  const connect = async () => {
    const p = await RawPeer.connect(port);
    peers.push(p);
    return p;
  };
  return { server, port, logs, connect };
}

test('answers Java requests byte for byte: append with handshake, append, appendBatch', async () => {
  const got: [string, Event[]][] = [];
  const { connect } = await start(async (events, kind) => {
    got.push([kind, events]);
    return 'OK';
  });
  const peer = await connect();
  peer.write(CALL1);
  assert.deepEqual(await peer.readPack(), hex(ANSWER1));
  peer.write(`00000002 00000002 00000008 ${APPEND} 0000000c ${EVENT}`);
  assert.deepEqual(await peer.readPack(), hex('00000002 00000003 00000000 00000001 00 00000002 0000'));
  peer.write(`00000003 00000002 0000000d 00 16 617070656e644261746368 0000001a 04 ${EVENT} ${EVENT} 00`);
  assert.deepEqual(await peer.readPack(), hex('00000003 00000003 00000000 00000001 00 00000002 0000'));
  assert.deepEqual(
    got.map(([k, evs]) => [k, evs.map((e) => [{ ...e.headers }, e.body.toString()])]),
    [
      ['append', [[{ host: 'a' }, 'hi']]],
      ['append', [[{ host: 'a' }, 'hi']]],
      ['appendBatch', [[{ host: 'a' }, 'hi'], [{ host: 'a' }, 'hi']]],
    ],
  );
});

test('an unknown client protocol gets NONE with our protocol and hash, then BOTH on the resend', async () => {
  let calls = 0;
  const { connect } = await start(async () => {
    calls++;
    return 'OK';
  });
  const { doc: _doc, ...noDoc } = PROTOCOL;
  const otherText = JSON.stringify(noDoc);
  const otherHash = createHash('md5').update(otherText).digest('hex');
  assert.equal(otherHash, '30da54059df72d9584b867d5202e2069');
  const peer = await connect();
  peer.write(pack(1, hex(`${otherHash} 00 ${MD5} 0200 ${APPEND}`), hex(EVENT)));
  const none = Buffer.concat([hex('04 02 ec14'), Buffer.from(PROTOCOL_JSON), hex(`02 ${MD5} 00`)]);
  assert.deepEqual(await peer.readPack(), pack(1, none));
  assert.equal(calls, 0);
  const text = Buffer.from(otherText);
  const len = Buffer.from([(text.length * 2) & 0x7f | 0x80, (text.length * 2) >> 7]);
  peer.write(pack(1, Buffer.concat([hex(`${otherHash} 02`), len, text, hex(`${MD5} 0200 ${APPEND}`)]), hex(EVENT)));
  assert.deepEqual(await peer.readPack(), hex(ANSWER1));
  assert.equal(calls, 1);
  // The server now knows that protocol: a new connection matches without sending it.
  const again = await connect();
  again.write(pack(1, hex(`${otherHash} 00 ${MD5} 0200 ${APPEND}`), hex(EVENT)));
  assert.deepEqual(await again.readPack(), hex(ANSWER1));
});

test('a client that believes in another server hash gets CLIENT with our protocol', async () => {
  const { connect } = await start();
  const peer = await connect();
  peer.write(pack(1, hex(`${MD5} 00 ${'11'.repeat(16)} 00 ${APPEND}`), hex(EVENT)));
  const client = Buffer.concat([hex('02 02 ec14'), Buffer.from(PROTOCOL_JSON), hex(`02 ${MD5} 00`)]);
  assert.deepEqual(await peer.readPack(), pack(1, client, hex('00'), hex('0000')));
});

test('answers a ping with the handshake alone, and accepts a null meta', async () => {
  const { connect } = await start();
  const peer = await connect();
  peer.write(pack(1, hex(`${MD5} 00 ${MD5} 00 00 00`)));
  assert.deepEqual(await peer.readPack(), hex('00000001 00000001 00000004 00000000'));
  peer.write(`00000002 00000002 00000008 ${APPEND} 0000000c ${EVENT}`);
  assert.deepEqual(await peer.readPack(), hex('00000002 00000003 00000000 00000001 00 00000002 0000'));
});

test('zero-length buffers anywhere inside a request pack change nothing', async () => {
  const { connect } = await start();
  const peer = await connect();
  const request = hex(`${HANDSHAKE} ${APPEND} ${EVENT}`);
  const z = Buffer.alloc(0);
  peer.write(pack(1, z, request.subarray(0, 10), z, z, request.subarray(10, 43), z, request.subarray(43), z));
  assert.deepEqual(await peer.readPack(), hex(ANSWER1));
});

test('a malformed or oversized frame closes only that connection', async () => {
  const { connect, logs } = await start(async () => 'OK', { limits: { maxPackBytes: 1024 } });
  const good = await connect();
  good.write(CALL1);
  assert.deepEqual(await good.readPack(), hex(ANSWER1));
  const negative = await connect();
  negative.write('00000001 ffffffff');
  await negative.closed();
  const oversized = await connect();
  oversized.write('00000001 00000001 00000800');
  await oversized.closed();
  const badHandshake = await connect();
  badHandshake.write(pack(1, hex('86aa')));
  await badHandshake.closed();
  assert.deepEqual(
    logs.map((l) => l.code),
    ['SLUICE_RPC_FRAME', 'SLUICE_RPC_FRAME', 'SLUICE_RPC_HANDSHAKE'],
  );
  good.write(`00000002 00000002 00000008 ${APPEND} 0000000c ${EVENT}`);
  assert.deepEqual(await good.readPack(), hex('00000002 00000003 00000000 00000001 00 00000002 0000'));
});

test('handler failures answer FAILED; undecodable calls answer an Avro error and keep the connection', async () => {
  let n = 0;
  const { connect } = await start(async () => {
    n++;
    if (n === 1) throw new Error('channel full');
    return 'nonsense' as 'OK';
  });
  const peer = await connect();
  peer.write(CALL1);
  assert.deepEqual(await peer.readPack(), hex('00000001 00000003 00000004 00000000 00000001 00 00000002 0002'));
  peer.write(`00000002 00000002 00000008 ${APPEND} 0000000c ${EVENT}`);
  assert.deepEqual((await peer.readPack()).subarray(-2), hex('0002'));
  peer.write(pack(3, hex('00 06 666f6f')));
  const error = await peer.readPack();
  assert.match(error.toString(), /Unknown message "foo"/);
  assert.deepEqual(error.subarray(8 + 4 + 4 + 1 + 4, 8 + 4 + 4 + 1 + 4 + 2), hex('0100'));
  peer.write(pack(4, hex(APPEND), hex('02 08 686f')));
  assert.match((await peer.readPack()).toString(), /ends inside/);
  peer.write(`00000005 00000002 00000008 ${APPEND} 0000000c ${EVENT}`);
  assert.deepEqual((await peer.readPack()).subarray(0, 4), hex('00000005'));
});

test('answers go out as calls finish, tagged with their serial', async () => {
  const release: (() => void)[] = [];
  const { connect } = await start(
    (events) =>
      new Promise((resolve) => {
        release[events.length] = () => resolve('OK');
      }),
  );
  const peer = await connect();
  peer.write(pack(1, hex(`${HANDSHAKE} 00 00`)));
  await peer.readPack();
  const batch = (serial: number, n: number) =>
    pack(serial, hex('00 16 617070656e644261746368'), hex(`${(n * 2).toString(16).padStart(2, '0')} ${EVENT.repeat(n)} 00`));
  peer.write(Buffer.concat([batch(2, 1), batch(3, 2), batch(4, 3)]));
  while (release.filter(Boolean).length < 3) await new Promise((r) => setTimeout(r, 5));
  for (const n of [3, 1, 2]) release[n]!();
  const serials = [];
  for (let i = 0; i < 3; i++) serials.push((await peer.readPack()).readInt32BE(0));
  assert.deepEqual(serials, [4, 2, 3]);
});

test('close lets running calls answer, then ends the connections and refuses new ones', async () => {
  let release: (() => void) | undefined;
  const { server, connect, port } = await start(() => new Promise((resolve) => (release = () => resolve('OK'))));
  const peer = await connect();
  peer.write(CALL1);
  while (!release) await new Promise((r) => setTimeout(r, 5));
  const closing = server.close(2000);
  await new Promise((r) => setTimeout(r, 50));
  release();
  assert.deepEqual(await peer.readPack(), hex(ANSWER1));
  await peer.closed();
  await closing;
  await assert.rejects(RawPeer.connect(port));
});

test('ipFilterRules: the first matching rule decides', async () => {
  const denied = await start(async () => 'OK', { ipFilterRules: 'allow:ip:10.*,deny:ip:127.*,allow:ip:*' });
  const peer = await denied.connect();
  peer.write(CALL1);
  await peer.closed();
  assert.deepEqual(denied.logs.map((l) => l.msg), ['Refusing Avro RPC connection: ipFilterRules deny this address.']);
  const allowed = await start(async () => 'OK', { ipFilterRules: 'allow:name:localhost,deny:ip:*' });
  const ok = await allowed.connect();
  ok.write(CALL1);
  assert.deepEqual(await ok.readPack(), hex(ANSWER1));
});

test('connections beyond maxConnections are closed at once', async () => {
  const { server, connect } = await start(async () => 'OK', { maxConnections: 1 });
  const first = await connect();
  first.write(CALL1);
  await first.readPack();
  const second = await connect();
  await second.closed();
  assert.equal(server.connectionCount, 1);
});
