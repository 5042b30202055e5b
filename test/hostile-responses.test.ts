// Seeded, bounded fuzzing of the answers Sluice reads from its destinations: a WebHDFS NameNode/DataNode and a Kafka
// broker that reply with garbage, wrong codes, cut or endless bodies. Every call must settle within its timeouts,
// as a typed error or a value of the promised shape, and nothing may escape as an uncaught exception or an unhandled
// rejection: in an agent either one is a crash. The seed is hostile-input.test.ts's (FUZZ_SEED=<n> replays both).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { isSluiceError } from '../src/errors.ts';
import type { ProducerRecord } from '../src/kafka/client.ts';
import { PlatformaticProducer } from '../src/kafka/producer.ts';
import { producerSettings } from '../src/kafka/settings.ts';
import { type FileStatus, WebHdfs } from '../src/sinks/hdfs/webhdfs.ts';
import { Dice } from './chaos/harness/dice.ts';
import { bytes, count, inTurn, int, SEED } from './helpers/fuzz.ts';

/** Records what escapes every handler while `run` goes on; the test asserts the list is empty. */
async function escapes(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const uncaught = (err: unknown) => void seen.push(`uncaught exception: ${inspect(err)}`);
  const unhandled = (reason: unknown) => void seen.push(`unhandled rejection: ${inspect(reason)}`);
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', unhandled);
  try {
    await run();
    // An error emitted after the last call settled (a socket closing late) must be caught as well.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', unhandled);
  }
  return seen;
}

/** `p`'s outcome, or 'hung' once `ms` have passed; the timer is cleared so that it holds nothing open. */
async function settle<T>(p: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; err: unknown } | 'hung'> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((r) => {
    timer = setTimeout(() => r('hung'), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, err })), hung]);
  } finally {
    clearTimeout(timer);
  }
}

const listen = async (server: net.Server): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
};

const closed = (server: net.Server, ms: number): Promise<boolean> =>
  settle(new Promise<void>((r, j) => server.close((err) => (err ? j(err) : r()))), ms).then((s) => s !== 'hung' && s.ok);

// ---------------------------------------------------------------------------------------------------------------
// WebHDFS

const HDFS_TIMEOUT_MS = 500;
const HDFS_OPS = 200;
// The run is shared with other work: a request that is answered at once can still take a second to be scheduled.
const SLACK_MS = 2000;
const EXCEPTIONS = ['StandbyException', 'FileNotFoundException', 'XAttrNotFoundException', 'AlreadyBeingCreatedException', 'RecoveryInProgressException', 'AccessControlException', 'IOException'];
const STATUSES = [200, 201, 307, 400, 403, 404, 500, 503];
const fileStatus = (d: Dice) => ({ pathSuffix: `f${int(d, 9)}`, type: d.pick(['FILE', 'DIRECTORY']), length: int(d, 1e6), modificationTime: Date.now(), replication: 3, permission: '644' });
const successes: Record<string, (d: Dice) => unknown> = {
  boolean: (d) => ({ boolean: d.next() < 0.5 }),
  GETFILESTATUS: (d) => ({ FileStatus: fileStatus(d) }),
  LISTSTATUS: (d) => ({ FileStatuses: { FileStatus: Array.from({ length: int(d, 4) }, () => fileStatus(d)) } }),
  GETXATTRS: (d) => ({ XAttrs: d.next() < 0.8 ? [{ name: 'user.sluice.length', value: JSON.stringify(String(int(d, 1e6))) }] : [] }),
};
const success = (d: Dice): unknown => successes[d.pick(Object.keys(successes))]!(d);
// JSON a NameNode would never send for that operation, or never at all: what the client does with it is the question.
const wrongShapes = ['{}', '[]', 'null', '"boolean"', '7', '{"boolean":"yes"}', '{"FileStatus":null}', '{"FileStatus":{"length":"x"}}', '{"FileStatuses":{}}', '{"FileStatuses":{"FileStatus":[7]}}', '{"XAttrs":[{"value":7}]}', '{"XAttrs":[{"value":"not json"}]}', '{"XAttrs":{}}', '{"RemoteException":{}}', '{"RemoteException":{"exception":7}}', '{"RemoteException":{"exception":"IOException","message":7}}'];

type Body = { type?: string; body: Buffer };
const hdfsBodies: Record<string, (d: Dice) => Body> = {
  RemoteException: (d) => {
    const exception = d.pick(EXCEPTIONS);
    return { type: 'application/json', body: Buffer.from(JSON.stringify({ RemoteException: { exception, javaClassName: `org.apache.hadoop.${exception}`, message: `fuzz\n\tat X.y(X.java:1)` } })) };
  },
  'success JSON': (d) => ({ type: 'application/json', body: Buffer.from(JSON.stringify(success(d))) }),
  'wrong-shape JSON': (d) => ({ type: 'application/json', body: Buffer.from(d.pick(wrongShapes)) }),
  'truncated JSON': (d) => {
    const full = JSON.stringify(d.next() < 0.5 ? success(d) : { RemoteException: { exception: d.pick(EXCEPTIONS), message: 'cut' } });
    return { type: 'application/json', body: Buffer.from(full.slice(0, int(d, full.length))) };
  },
  'random bytes': (d) => ({ type: d.pick(['application/json', 'application/octet-stream']), body: bytes(d, int(d, 300)) }),
  empty: () => ({ body: Buffer.alloc(0) }),
  huge: (d) => {
    if (d.next() < 0.5) return { type: 'application/json', body: Buffer.alloc(2 * 1024 * 1024, d.pick(['x', '{', ' ', '['])) };
    // Valid JSON too: a Java stack trace of 2 MiB, of which the client must keep only the first line.
    const message = `fuzz\n${'\tat org.apache.hadoop.X.y(X.java:1)\n'.repeat(2 * 1024 * 1024 / 36)}`;
    return { type: 'application/json', body: Buffer.from(JSON.stringify({ RemoteException: { exception: d.pick(EXCEPTIONS), message } })) };
  },
  'HTML page': (d) => ({ type: 'text/html', body: Buffer.from(`<html><body><h1>Error ${d.pick(STATUSES)}</h1><p>Proxy error</p></body></html>`) }),
};

function properBody(d: Dice, op: string): Body {
  const make = successes[op] ?? (['MKDIRS', 'RENAME', 'DELETE', 'TRUNCATE'].includes(op) ? successes['boolean'] : undefined);
  // CREATE, APPEND and SETXATTR answer with an empty body.
  return make ? { type: 'application/json', body: Buffer.from(JSON.stringify(make(d))) } : { body: Buffer.alloc(0) };
}

/** What the server answers: a status and body, a connection cut mid-body, or a body that never ends. */
function hdfsReply(d: Dice, op: string, dataNode: boolean, base: string, path: string, res: http.ServerResponse): { reply: string; body?: string } {
  const special = d.next();
  if (special < 0.06) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
    // Once the headers and the first bytes are out: destroyed at once, they would never leave and the client would
    // see no answer at all rather than one cut short.
    res.write('{"boolean":', () => setTimeout(() => res.socket?.destroy(), 10));
    return { reply: 'destroyed mid-response' };
  }
  if (special < 0.12) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
    res.write('{"FileStatus":{');
    return { reply: 'never ends' };
  }
  // A quarter of the answers carry the status the client expects, so that the success paths see the bodies too.
  const expected = dataNode ? (op === 'CREATE' ? 201 : 200) : op === 'CREATE' || op === 'APPEND' ? 307 : 200;
  const status = d.next() < 0.25 ? expected : d.pick(STATUSES);
  const headers: http.OutgoingHttpHeaders = {};
  let location = '';
  if (status === 307) {
    location = d.pick(['none', 'garbage', 'DataNode', 'DataNode']);
    // Never a host name: a lookup would depend on the machine's resolver, not on the client.
    if (location === 'garbage') headers['location'] = d.pick(['', 'not a url', 'http://[::1', 'ftp://127.0.0.1/x', '/webhdfs/v1/relative', 'http://127.0.0.1:1/refused', '\u00e9']);
    if (location === 'DataNode') headers['location'] = `${base}/webhdfs/v1${path}?op=${op}&datanode=true`;
  }
  // Half the answers with the expected status carry what that operation returns, the rest any body at all.
  const proper = status === expected && d.next() < 0.5;
  const kind = proper ? 'proper body' : d.pick(Object.keys(hdfsBodies));
  const { type, body } = proper ? properBody(d, op) : hdfsBodies[kind]!(d);
  if (type) headers['content-type'] = type;
  try {
    res.writeHead(status, headers);
  } catch {
    // Node refuses some garbage header values itself; the client then sees a 307 without a Location.
    res.writeHead(status, type ? { 'content-type': type } : {});
    location = 'refused by node:http';
  }
  res.end(body);
  return { reply: `${status}${location ? ` ${location} Location` : ''}`, body: kind };
}

const hdfsOps = ['status', 'list', 'mkdirs', 'create', 'append', 'truncate', 'rename', 'delete', 'setXAttr', 'getXAttr'] as const;
type HdfsOp = (typeof hdfsOps)[number];

function call(fs: WebHdfs, op: HdfsOp, path: string, d: Dice): Promise<unknown> {
  const data = () => Array.from({ length: 1 + int(d, 3) }, () => bytes(d, int(d, 2000)));
  switch (op) {
    case 'status':
      return fs.status(path);
    case 'list':
      return fs.list(path);
    case 'mkdirs':
      return fs.mkdirs(path);
    case 'create':
      return fs.create(path, data(), d.next() < 0.5);
    case 'append':
      return fs.append(path, data());
    case 'truncate':
      return fs.truncate(path, int(d, 5000));
    case 'rename':
      return fs.rename(path, `${path}.done`);
    case 'delete':
      return fs.delete(path, d.next() < 0.5);
    case 'setXAttr':
      return fs.setXAttr(path, 'user.sluice.length', String(int(d, 1e6)), d.next() < 0.5);
    case 'getXAttr':
      return fs.getXAttr(path, 'user.sluice.length');
  }
}

const isFileStatus = (v: unknown): v is FileStatus => {
  const s = v as FileStatus | null;
  return typeof s === 'object' && s !== null && typeof s.pathSuffix === 'string' && ['FILE', 'DIRECTORY', 'SYMLINK'].includes(s.type) && typeof s.length === 'number' && typeof s.modificationTime === 'number';
};

/** The value each operation promises in its signature; a caller trusts it without looking. */
const promised: Record<HdfsOp, (v: unknown) => boolean> = {
  status: (v) => v === undefined || isFileStatus(v),
  list: (v) => Array.isArray(v) && v.every(isFileStatus),
  mkdirs: (v) => typeof v === 'boolean',
  create: (v) => v === undefined,
  append: (v) => v === undefined,
  truncate: (v) => typeof v === 'boolean',
  rename: (v) => typeof v === 'boolean',
  delete: (v) => typeof v === 'boolean',
  setXAttr: (v) => v === undefined,
  getXAttr: (v) => v === undefined || typeof v === 'string',
};

test('WebHDFS answers with wrong codes, bad bodies, cut or endless responses: every call settles in time, as a typed error or a promised value', { timeout: 120_000 }, async (t) => {
  const d = new Dice(SEED + 3);
  const replies: Record<string, number> = {};
  const bodies: Record<string, number> = {};
  const resolved: Record<string, number> = {};
  const rejected: Record<string, number> = {};
  const codes: Record<string, number> = {};
  const requestsOf = new Map<number, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const i = Number(/\/fuzz\/op-(\d+)/.exec(url.pathname)?.[1] ?? -1);
    // Each answer depends only on the operation and its request number, not on the order of arrival across
    // concurrent operations, so that a seed replays the same conversation.
    const k = requestsOf.get(i) ?? 0;
    requestsOf.set(i, k + 1);
    const rd = new Dice(Math.imul(SEED + 3, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b) ^ k);
    req.resume();
    req.on('end', () => {
      const reply = hdfsReply(rd, url.searchParams.get('op') ?? '', url.searchParams.has('datanode'), base, url.pathname.replace('/webhdfs/v1', ''), res);
      count(replies, reply.reply);
      if (reply.body) count(bodies, reply.body);
    });
  });
  const base = `http://127.0.0.1:${await listen(server)}`;
  // Two URLs for the same server: a StandbyException then fails over once, and comes back to the fuzzed answers.
  const fs = new WebHdfs({ urls: [base, base], timeoutMs: HDFS_TIMEOUT_MS });
  const calls = Array.from({ length: HDFS_OPS }, (_, i) => ({ i, op: d.pick(hdfsOps), seed: int(d, 2 ** 31) }));
  let slowest = 0;
  try {
    const escaped = await escapes(() =>
      inTurn(calls, 4, async ({ i, op, seed }) => {
        const path = `/fuzz/op-${i}`;
        // Each HTTP request has its own timeout: two NameNodes, and a DataNode for the writes.
        const requests = 2 + (op === 'create' || op === 'append' ? 1 : 0);
        const bound = requests * HDFS_TIMEOUT_MS + SLACK_MS;
        const started = Date.now();
        const s = await settle(call(fs, op, path, new Dice(seed)), bound + 5000);
        const took = Date.now() - started;
        slowest = Math.max(slowest, took);
        if (s === 'hung') assert.fail(`op ${i} ${op}: still pending after ${bound + 5000} ms`);
        assert.ok(took <= bound, `op ${i} ${op}: settled after ${took} ms, over its ${bound} ms bound`);
        if (s.ok) {
          assert.ok(promised[op](s.value), `op ${i} ${op} resolved with ${inspect(s.value)}, not what its signature promises`);
          count(resolved, op);
          return;
        }
        const err = s.err;
        assert.ok(err instanceof Error && err.message.trim() !== '', `op ${i} ${op}: rejected with ${inspect(err)}`);
        assert.ok(isSluiceError(err, 'SLUICE_HDFS_HTTP') || isSluiceError(err, 'SLUICE_HDFS_REMOTE'), `op ${i} ${op}: untyped rejection ${inspect(err)}`);
        // Callers branch on the exception's name (remoteException()), so it must be the one the body named.
        if (err.code === 'SLUICE_HDFS_REMOTE') assert.ok(EXCEPTIONS.includes(err.details['exception'] as string), `op ${i} ${op}: ${inspect(err)}`);
        // It ends up in a log line; a whole body there (2 MiB of stack trace) would be a log flood.
        assert.ok(err.message.length < 1000, `op ${i} ${op}: a message of ${err.message.length} characters`);
        count(rejected, op);
        count(codes, err.code);
      }),
    );
    fs.close();
    assert.deepEqual(escaped, [], 'errors escaped the WebHDFS client');
    // server.close closes idle keep-alive connections itself but waits for those in the middle of an answer: it
    // finishes only if the client closed the socket of every request it gave up on (a body that never ended).
    assert.ok(await closed(server, 3000), 'the server still had connections from the client after close()');
  } finally {
    fs.close();
    server.closeAllConnections();
    if (server.listening) server.close();
  }
  const total = (tally: Record<string, number>) => Object.values(tally).reduce((a, b) => a + b, 0);
  t.diagnostic(`seed ${SEED}: ${HDFS_OPS} WebHDFS operations, slowest ${slowest} ms; ${total(resolved)} resolved ${JSON.stringify(resolved)}`);
  t.diagnostic(`${total(rejected)} rejected ${JSON.stringify(rejected)}, codes ${JSON.stringify(codes)}`);
  t.diagnostic(`${total(replies)} requests answered: ${JSON.stringify(replies)}; bodies ${JSON.stringify(bodies)}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Kafka

const KAFKA_SENDS = 30;
const KAFKA_TIMEOUT_MS = 1000;
const KAFKA_SETTINGS = { 'request.timeout.ms': String(KAFKA_TIMEOUT_MS), 'socket.connection.setup.timeout.ms': String(KAFKA_TIMEOUT_MS), retries: '1', 'retry.backoff.ms': '100' };
// Two attempts, each a connection set up and at most two requests waited for (garbage that happens to parse as an
// answer leads to the next request), and the back-off between them. An unanswered request the client does not time
// out by request.timeout.ms takes 30 s, far past this.
const KAFKA_BOUND_MS = 2 * (KAFKA_TIMEOUT_MS + 2 * KAFKA_TIMEOUT_MS) + 100 + SLACK_MS;

/** What the fake broker answers to one request; it never sends anything a producer could take as an acknowledgement. */
const kafkaReplies: Record<string, (d: Dice, socket: net.Socket, correlation: number) => void> = {
  'random bytes after the right correlation id': (d, socket, correlation) => {
    const tail = bytes(d, int(d, 64));
    const frame = Buffer.alloc(8);
    frame.writeInt32BE(4 + tail.length, 0);
    frame.writeInt32BE(correlation, 4);
    socket.write(Buffer.concat([frame, tail]));
  },
  'wrong correlation id': (d, socket, correlation) => {
    const frame = Buffer.alloc(12);
    frame.writeInt32BE(8, 0);
    frame.writeInt32BE((correlation + 1 + int(d, 1000)) | 0, 4);
    socket.write(frame);
  },
  'truncated frame, then closed': (d, socket, correlation) => {
    const frame = Buffer.alloc(8 + 100);
    frame.writeInt32BE(4 + 100, 0);
    frame.writeInt32BE(correlation, 4);
    socket.end(frame.subarray(0, int(d, frame.length)));
  },
  'huge declared size': (d, socket, correlation) => {
    const frame = Buffer.alloc(16);
    frame.writeInt32BE(d.pick([0x7fffffff, 0x40000000, 100 * 1024 * 1024]), 0);
    frame.writeInt32BE(correlation, 4);
    socket.write(frame);
  },
  'closed at once': (_d, socket) => void socket.destroy(),
  'no answer': () => undefined,
};

/** A broker on its own port for one send, with its own dice: what it answers does not depend on the other sends. */
async function fakeBroker(seed: number, replies: Record<string, number>): Promise<{ port: number; stop: () => Promise<boolean> }> {
  const d = new Dice(seed);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const request = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + request.length);
        if (socket.destroyed || socket.writableEnded) return;
        const kind = d.pick(Object.keys(kafkaReplies));
        count(replies, kind);
        kafkaReplies[kind]!(d, socket, request.readInt32BE(4));
      }
    });
  });
  const port = await listen(server);
  // server.close waits for every connection: it finishes only if close() left no socket open. Those left are then
  // destroyed, so that a failure does not also keep the test file alive.
  const stop = async () => {
    const clean = await closed(server, 3000);
    for (const s of sockets) s.destroy();
    return clean;
  };
  return { port, stop };
}

test('a Kafka broker answering garbage, cutting frames or not answering: every send fails in time with a typed error', { timeout: 120_000 }, async (t) => {
  const d = new Dice(SEED + 4);
  const replies: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  let slowest = 0;
  // Drawn before the concurrent sends start, so that their order cannot change what a seed gives.
  const sends = Array.from({ length: KAFKA_SENDS }, (_, m) => {
    // Keyed records make the adapter ask for metadata itself before the library's own requests.
    const keyed = d.next() < 0.5;
    const records: ProducerRecord[] = Array.from({ length: 1 + int(d, 5) }, (_, r) => ({ topic: 'fuzz', value: bytes(d, 1 + int(d, 200)), ...(keyed ? { key: Buffer.from(`k${r}`) } : {}) }));
    // Not acks=0: a producer rightly sends those without waiting for any answer, so the send would resolve.
    return { m, acks: d.pick([-1, 1] as const), records, brokerSeed: int(d, 2 ** 31) };
  });
  const escaped = await escapes(() =>
    inTurn(sends, 3, async ({ m, acks, records, brokerSeed }) => {
      const { port, stop } = await fakeBroker(brokerSeed, replies);
      const producer = new PlatformaticProducer({ brokers: [`127.0.0.1:${port}`], acks, compression: 'none', settings: producerSettings(KAFKA_SETTINGS).settings });
      const started = Date.now();
      try {
        const s = await settle(producer.send(records), KAFKA_BOUND_MS + 10_000);
        const took = Date.now() - started;
        slowest = Math.max(slowest, took);
        if (s === 'hung') assert.fail(`send ${m}: still pending after ${KAFKA_BOUND_MS + 10_000} ms`);
        assert.ok(!s.ok, `send ${m} resolved: a broker that never acknowledges was taken to have acknowledged`);
        assert.ok(took <= KAFKA_BOUND_MS, `send ${m}: failed after ${took} ms, over its ${KAFKA_BOUND_MS} ms bound`);
        const err = s.err;
        // The adapter's one code for a batch the brokers did not take, whatever the library's error was.
        assert.ok(isSluiceError(err, 'SLUICE_DELIVERY_FAILED') && err.message.trim() !== '', `send ${m}: rejected with ${inspect(err)}`);
        // The distinct innermost reasons the adapter lists ("Request timed out", "Connection closed", a parse failure).
        for (const leaf of new Set(err.message.replace(/^.*? records: |\.$/g, '').split('; '))) count(reasons, leaf.replace(/\.$/, ''));
      } finally {
        const c = await settle(producer.close(), 5000);
        const clean = await stop();
        if (c === 'hung') assert.fail(`send ${m}: close() did not return within 5 s`);
        if (!c.ok) assert.fail(`send ${m}: close() failed: ${inspect(c.err)}`);
        assert.ok(clean, `send ${m}: the producer left a connection open after close()`);
      }
    }),
  );
  assert.deepEqual(escaped, [], 'errors escaped the Kafka producer');
  t.diagnostic(`seed ${SEED}: ${KAFKA_SENDS} sends, all rejected with SLUICE_DELIVERY_FAILED, slowest ${slowest} ms; reasons (a send may have several) ${JSON.stringify(reasons)}`);
  t.diagnostic(`replies: ${JSON.stringify(replies)}`);
});
