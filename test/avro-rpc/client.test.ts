import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, test } from 'node:test';
import { constants, inflateSync } from 'node:zlib';
import { AvroRpcClient } from '../../src/avro-rpc/client.ts';
import { PROTOCOL, PROTOCOL_JSON } from '../../src/avro-rpc/protocol.ts';
import { AvroRpcServer } from '../../src/avro-rpc/server.ts';
import { hex, pack, RawPeer } from './raw-peer.ts';

const MD5 = '86aadae2c45474c0fe93ffd0f2350a65';
const PING = `${MD5} 00 ${MD5} 0200 00 00`;
const EVENT = { headers: { host: 'a' }, body: Buffer.from('hi') };
const answer = (serial: number, status: number) => pack(serial, hex(''), hex('00'), Buffer.from([0, status]));

const closers: (() => unknown)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

/** A scripted server: hands each accepted connection to the test as a RawPeer. */
async function fakeServer() {
  const peers: RawPeer[] = [];
  const server = net.createServer((s) => peers.push(new RawPeer(s)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => {
    for (const p of peers) p.close();
    server.close();
  });
  const port = (server.address() as net.AddressInfo).port;
  const nextPeer = async () => {
    while (peers.length === 0) await new Promise((r) => setTimeout(r, 5));
    return peers.shift()!;
  };
  return { port, nextPeer };
}

async function handshaken(opts: { maxInFlight?: number; requestTimeoutMs?: number } = {}) {
  const fake = await fakeServer();
  const connecting = AvroRpcClient.connect({ host: '127.0.0.1', port: fake.port, ...opts });
  const peer = await fake.nextPeer();
  assert.deepEqual(await peer.readPack(), pack(1, hex(PING)));
  peer.write(pack(1, hex('00000000')));
  const client = await connecting;
  closers.push(() => client.destroy());
  return { client, peer };
}

const code = (c: string) => (err: Error & { code?: string }) => err.code === c;

test('opens with a handshake ping, then matches out-of-order answers by serial', async () => {
  const { client, peer } = await handshaken();
  const calls = [client.appendBatch([EVENT, EVENT]), client.append(EVENT), client.appendBatch([])];
  const serials = [];
  for (let i = 0; i < 3; i++) serials.push((await peer.readPack()).readInt32BE(0));
  assert.deepEqual(serials, [2, 3, 4]);
  peer.write(Buffer.concat([answer(4, 4), answer(2, 0), answer(3, 2)]));
  assert.deepEqual(await Promise.all(calls), ['OK', 'FAILED', 'UNKNOWN']);
  assert.equal(client.alive, true);
});

test('keeps at most maxInFlight calls on the wire', async () => {
  const { client, peer } = await handshaken({ maxInFlight: 2 });
  const calls = [1, 2, 3, 4].map(() => client.append(EVENT));
  await peer.readPack();
  await peer.readPack();
  await assert.rejects(peer.readPack(150), /timed out/);
  peer.write(answer(2, 0));
  assert.equal((await peer.readPack()).readInt32BE(0), 4);
  peer.write(Buffer.concat([answer(3, 0), answer(4, 0)]));
  assert.equal((await peer.readPack()).readInt32BE(0), 5);
  peer.write(answer(5, 0));
  assert.deepEqual(await Promise.all(calls), ['OK', 'OK', 'OK', 'OK']);
});

test('on NONE it sends its protocol text and remembers the server hash for later connections', async () => {
  const fake = await fakeServer();
  const other = '22'.repeat(16);
  const { doc: _doc, ...noDoc } = PROTOCOL;
  const text = Buffer.from(JSON.stringify(noDoc));
  const textLen = Buffer.from([((text.length * 2) & 0x7f) | 0x80, (text.length * 2) >> 7]);
  const none = Buffer.concat([hex('04 02'), textLen, text, hex(`02 ${other} 00`)]);
  const connecting = AvroRpcClient.connect({ host: '127.0.0.1', port: fake.port });
  const peer = await fake.nextPeer();
  await peer.readPack();
  peer.write(pack(1, none));
  const resend = await peer.readPack();
  const ours = Buffer.from(PROTOCOL_JSON);
  assert.deepEqual(resend.subarray(0, 8 + 4 + 16 + 1), Buffer.concat([hex('00000002 00000001'), resend.subarray(8, 12), hex(`${MD5} 02`)]));
  assert.ok(resend.includes(ours));
  assert.ok(resend.includes(hex(other)));
  peer.write(pack(2, hex(`02 02`), textLen, text, hex(`02 ${other} 00`)));
  const client = await connecting;
  client.destroy();
  const again = AvroRpcClient.connect({ host: '127.0.0.1', port: fake.port });
  const peer2 = await fake.nextPeer();
  assert.deepEqual(await peer2.readPack(), pack(1, hex(`${MD5} 00 ${other} 0200 00 00`)));
  peer2.write(pack(1, hex('00000000')));
  (await again).destroy();
});

test('a NONE without the server protocol is a handshake error', async () => {
  const fake = await fakeServer();
  const connecting = AvroRpcClient.connect({ host: '127.0.0.1', port: fake.port });
  const peer = await fake.nextPeer();
  await peer.readPack();
  peer.write(pack(1, hex('04 00 00 00')));
  await assert.rejects(connecting, code('SLUICE_RPC_HANDSHAKE'));
});

test('a call without an answer times out and kills the connection and its other calls', async () => {
  const { client, peer } = await handshaken({ requestTimeoutMs: 100 });
  const first = client.append(EVENT);
  const second = client.append(EVENT);
  await assert.rejects(first, code('SLUICE_RPC_TIMEOUT'));
  await assert.rejects(second, code('SLUICE_RPC_TIMEOUT'));
  assert.equal(client.alive, false);
  await assert.rejects(client.append(EVENT), code('SLUICE_RPC_TIMEOUT'));
  await peer.closed();
});

test('connect fails with TIMEOUT when no handshake answer comes, CLOSED when refused', async () => {
  const fake = await fakeServer();
  const started = Date.now();
  await assert.rejects(AvroRpcClient.connect({ host: '127.0.0.1', port: fake.port, connectTimeoutMs: 150 }), code('SLUICE_RPC_TIMEOUT'));
  assert.ok(Date.now() - started < 1000);
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  probe.close();
  await assert.rejects(AvroRpcClient.connect({ host: '127.0.0.1', port }), code('SLUICE_RPC_CLOSED'));
});

test('an error answer or a server that goes away rejects with a typed error', async () => {
  const a = await handshaken();
  const failing = a.client.append(EVENT);
  await a.peer.readPack();
  a.peer.write(pack(2, hex(''), hex('00'), hex('01 00 08 626f6f6d')));
  await assert.rejects(failing, (err: Error & { code?: string }) => err.code === 'SLUICE_RPC_FAILED' && /boom/.test(err.message));
  assert.equal(a.client.alive, false);
  const b = await handshaken();
  const cut = b.client.append(EVENT);
  await b.peer.readPack();
  b.peer.close();
  await assert.rejects(cut, code('SLUICE_RPC_CLOSED'));
});

test('deflate: one zlib stream each way at the chosen level, round trip with our server', async () => {
  const fake = await fakeServer();
  const connecting = AvroRpcClient.connect({ host: '127.0.0.1', port: fake.port, compression: 'deflate', compressionLevel: 1, connectTimeoutMs: 300 });
  const peer = await fake.nextPeer();
  while (peer.socket.bytesRead === 0) await new Promise((r) => setTimeout(r, 5));
  await assert.rejects(connecting, code('SLUICE_RPC_TIMEOUT'));
  const wire = peer.buffered;
  assert.deepEqual(wire.subarray(0, 2), hex('7801'));
  assert.deepEqual(inflateSync(wire, { finishFlush: constants.Z_SYNC_FLUSH }), pack(1, hex(PING)));

  const got: number[] = [];
  const server = new AvroRpcServer({ host: '127.0.0.1', port: 0, compression: 'deflate' }, async (events) => {
    got.push(events.length);
    return 'OK';
  });
  const { port } = await server.listen();
  closers.push(() => server.close(100));
  const client = await AvroRpcClient.connect({ host: '127.0.0.1', port, compression: 'deflate', compressionLevel: 9 });
  const batch = Array.from({ length: 1000 }, (_, i) => ({ headers: { i: String(i) }, body: Buffer.alloc(500, i) }));
  assert.deepEqual(await Promise.all([client.appendBatch(batch), client.appendBatch(batch), client.append(EVENT)]), ['OK', 'OK', 'OK']);
  await client.close();
  assert.deepEqual(got, [1000, 1000, 1]);
});
