// Seeded, bounded fuzzing of the three doors through which outside bytes reach an agent: Avro RPC frames from
// the network, properties files from operators, spooled files from applications. Every input must be served or
// refused with a reason, within a bound, and the agent must keep working afterwards. FUZZ_SEED=<n> replays a run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { AvroRpcClient } from '../src/avro-rpc/client.ts';
import { encodeCall } from '../src/avro-rpc/codec.ts';
import { DEFAULT_PACK_LIMITS } from '../src/avro-rpc/framing.ts';
import { encodeHandshakeRequest } from '../src/avro-rpc/handshake.ts';
import { type MessageKind, PROTOCOL_HASH } from '../src/avro-rpc/protocol.ts';
import { loadConfig } from '../src/config/load.ts';
import { ConfigErrors, isSluiceError } from '../src/errors.ts';
import { avroSource } from '../src/sources/avro.ts';
import { spoolDirOptions } from '../src/sources/spooldir/options.ts';
import { RawPeer } from './avro-rpc/raw-peer.ts';
import { Dice } from './chaos/harness/dice.ts';
import { events, memory } from './helpers/components.ts';
import { options, sourceContext } from './helpers/configure.ts';
import { bytes, count, inTurn, int, SEED } from './helpers/fuzz.ts';
import { type LogLine, startAgent, tempDir, until } from './sources/spooldir/helpers.ts';

// Small enough that a "huge" length is refused at once rather than waited for.
const MAX_PACK = 64 * 1024;
type RpcLog = LogLine & { remote?: string; err?: { message?: string; code?: string } };

/** How the server must treat a stream starting with `b`; read without the server's decoder, so a bug there shows. */
function firstPack(b: Buffer): 'refused' | 'complete' | 'incomplete' {
  if (b.length < 8) return 'incomplete';
  const buffers = b.readInt32BE(4);
  if (buffers < 0 || buffers > DEFAULT_PACK_LIMITS.maxBuffersPerPack) return 'refused';
  let pos = 8;
  let total = 0;
  for (let i = 0; i < buffers; i++) {
    if (b.length < pos + 4) return 'incomplete';
    const n = b.readInt32BE(pos);
    total += n;
    if (n < 0 || total > MAX_PACK) return 'refused';
    pos += 4 + n;
  }
  return pos <= b.length ? 'complete' : 'incomplete';
}

/** A first call as a Java client sends it (handshake + call), sometimes followed by a pipelined second call. */
function validCall(d: Dice, kind: MessageKind = d.pick(['append', 'appendBatch'] as const)): Buffer {
  const call = (serial: number, handshake?: Buffer) =>
    encodeCall(serial, kind, events(kind === 'append' ? 1 : 1 + int(d, 4), 0, (i) => ({ host: `h${i}` })), handshake ? { handshake } : {});
  const first = call(1 + int(d, 1000), encodeHandshakeRequest(PROTOCOL_HASH, false));
  return d.next() < 0.3 ? Buffer.concat([first, call(2000)]) : first;
}

const hostileFrames: Record<string, (d: Dice) => Buffer> = {
  random: (d) => bytes(d, int(d, 200)),
  flipped: (d) => {
    const b = validCall(d);
    for (let k = 1 + int(d, 4); k > 0; k--) b[int(d, b.length)] = int(d, 256);
    return b;
  },
  truncated: (d) => {
    const b = validCall(d);
    return b.subarray(0, int(d, b.length));
  },
  'huge length': (d) => {
    const b = validCall(d);
    b.writeInt32BE(d.pick([MAX_PACK + 1, 0x7fffffff, -1, -0x80000000, 0x40000000]), d.next() < 0.5 ? 8 : 12 + b.readInt32BE(8));
    return b;
  },
  'bad buffer count': (d) => {
    const b = validCall(d);
    b.writeInt32BE(d.pick([-1, -0x80000000, DEFAULT_PACK_LIMITS.maxBuffersPerPack + 1]), 4);
    return b;
  },
  // Negative Avro block counts are legal Avro (count then byte size), so they must be decoded or refused, not trusted.
  'negative Avro count': (d) => {
    const b = validCall(d, 'appendBatch');
    b[16 + b.readInt32BE(8)] = d.pick([0x01, 0x03, 0x7f]);
    return b;
  },
  'junk tail': (d) => Buffer.concat([validCall(d), bytes(d, 1 + int(d, 64))]),
};

test('hostile Avro RPC frames are answered or refused with a logged reason, and the source keeps serving', { timeout: 60_000 }, async (t) => {
  const d = new Dice(SEED);
  const logs: RpcLog[] = [];
  const channel = memory('c1', 100_000, 1000);
  const ctx = sourceContext(channel, pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }));
  const source = avroSource.create(options(avroSource, { bind: '127.0.0.1', port: '0', 'max-pack-bytes': String(MAX_PACK) }), ctx);
  await source.start();
  try {
    const port = Number(logs.find((l) => l.msg === 'Avro source listening.')?.['port']);
    assert.ok(port > 0, 'the source logs the port it bound');
    const inputs = Array.from({ length: 300 }, () => {
      const kind = d.pick(Object.keys(hostileFrames));
      return { kind, payload: hostileFrames[kind]!(d) };
    });
    const outcomes: Record<string, number> = {};
    const reasons: Record<string, number> = {};
    const probe = async ({ kind, payload }: (typeof inputs)[number]) => {
      const peer = await RawPeer.connect(port);
      const remote = `127.0.0.1:${peer.socket.localPort}`;
      const what = `${kind} payload ${payload.toString('hex')}`;
      try {
        const expected = firstPack(payload);
        peer.write(payload);
        if (expected === 'incomplete') {
          // The server rightly waits for the rest of a pack; what must not happen is an answer, or a socket kept after we leave.
          peer.socket.end();
          await peer.closed(5000).catch((err) => assert.fail(`${what}: ${err.message} after the client ended`));
          assert.equal(peer.buffered.length, 0, `${what}: an incomplete pack was answered`);
          return count(outcomes, 'incomplete, closed when the client ended');
        }
        const answered = await peer.readPack(5000).then(
          () => true,
          (err: Error) => (peer.ended ? false : assert.fail(`${what}: ${err.message}`)),
        );
        if (answered) {
          assert.notEqual(expected, 'refused', `${what}: a malformed pack was answered`);
          return count(outcomes, 'answered');
        }
        const reason = logs.find((l) => l.remote === remote && l.level >= 40 && l.err?.message);
        assert.ok(reason, `${what}: the server closed the connection without logging why`);
        if (expected === 'refused') assert.equal(reason.err?.code, 'SLUICE_RPC_FRAME', what);
        count(reasons, reason.err?.code ?? '(no code)');
        return count(outcomes, 'refused with a logged reason');
      } finally {
        peer.close();
      }
    };
    await inTurn(inputs, 4, probe);
    await until('every fuzzed connection is closed on the server too', () => ctx.counter.openConnections === 0, 5000);
    const client = await AvroRpcClient.connect({ host: '127.0.0.1', port });
    try {
      const before = channel.size();
      assert.equal(await client.appendBatch(events(20)), 'OK');
      assert.equal(channel.size(), before + 20);
    } finally {
      client.destroy();
    }
    t.diagnostic(`seed ${SEED}: ${inputs.length} connections; ${JSON.stringify(outcomes)}; reasons ${JSON.stringify(reasons)}`);
  } finally {
    await source.stop();
  }
});

const CONFIGS = [
  { path: '../conf/edge-collector.properties', agent: 'collector' },
  { path: './config/corpus/good/06-regex-interceptors.properties', agent: 'a1' },
];
const pokes = ['=', ':', ' ', '\\', '.', '$', '${', '}', '#', '!', '\t', '\r', '\0', 'é', '-1', '99999999999', 'x', '\\\n'];
const badEscapes = ['\\u', '\\uZZZZ', '\\u12', '\\u00g1', '\\u\\u'];
const put = (d: Dice, s: string, what: string, replace: boolean) => {
  const at = int(d, s.length + 1);
  return s.slice(0, at) + what + s.slice(at + (replace ? 1 : 0));
};
const configEdits: ((d: Dice, lines: string[], i: number) => void)[] = [
  (_d, lines, i) => lines.splice(i, 1),
  (d, lines, i) => lines.splice(int(d, lines.length + 1), 0, lines[i] ?? ''),
  (d, lines, i) => lines.splice(i, 1, put(d, lines[i] ?? '', d.pick(pokes), d.next() < 0.5)),
  (d, lines, i) => lines.splice(i, 1, put(d, lines[i] ?? '', bytes(d, 1 + int(d, 12)).toString('latin1'), false)),
  (d, lines, i) => lines.splice(i, 1, put(d, lines[i] ?? '', d.pick(badEscapes), false)),
];

test('mutated properties files load or are refused with a typed SLUICE_CONFIG_ error, never anything else', { timeout: 60_000 }, (t) => {
  const d = new Dice(SEED + 1);
  const bases = CONFIGS.map((c) => ({ ...c, lines: readFileSync(new URL(c.path, import.meta.url), 'latin1').split('\n') }));
  const tally: Record<string, number> = {};
  for (let m = 0; m < 500; m++) {
    const base = d.pick(bases);
    const lines = [...base.lines];
    for (let k = 1 + int(d, 4); k > 0; k--) d.pick(configEdits)(d, lines, int(d, lines.length));
    const text = lines.join(d.next() < 0.2 ? '\r\n' : '\n');
    const started = Date.now();
    try {
      loadConfig({ files: ['fuzz.properties'], agent: base.agent, text, env: {} });
      count(tally, 'loaded');
    } catch (err) {
      const typed = isSluiceError(err) && err.code.startsWith('SLUICE_CONFIG_') && err.message.trim() !== '';
      assert.ok(typed, `mutant ${m} of ${base.path} threw ${inspect(err)}\n--- text ---\n${text}`);
      // load.ts promises ConfigErrors for any refusal: main.ts and the reloader list the problems only for that type.
      assert.ok(err instanceof ConfigErrors, `mutant ${m} of ${base.path}: ${err.code} thrown bare, not as ConfigErrors\n${text}`);
      for (const e of err.errors) assert.ok(e.code.startsWith('SLUICE_CONFIG_') && e.message !== '', inspect(e));
      count(tally, 'refused');
      for (const code of new Set(err.errors.map((e) => e.code))) count(tally, code);
    }
    assert.ok(Date.now() - started < 2000, `mutant ${m} took ${Date.now() - started} ms to load\n${text}`);
  }
  t.diagnostic(`seed ${SEED}: 500 mutants; ${JSON.stringify(tally)} (codes: mutants refused with at least one error of that code)`);
});

const MAX_LINE = spoolDirOptions['deserializer.maxLineLength'].default as number;
const chunks: ((d: Dice) => Buffer)[] = [
  (d) => Buffer.from(String.fromCharCode(...Array.from({ length: int(d, 60) }, () => 32 + int(d, 95)))),
  (d) => Buffer.from(d.pick([[0xff], [0xc0, 0xaf], [0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]])),
  (d) => Buffer.from(d.pick(['\0', 'a\0b', '\r', 'é€', '😀', '\uFEFF'])),
  (d) => Buffer.from(bytes(d, int(d, 40)).map((b) => (b === 0x0a ? 0x0b : b))),
];
const line = (d: Dice, long: boolean): Buffer => {
  const parts: Buffer[] = [];
  // In bytes: a line must stay overlong once multi-byte characters and U+FFFD runs are counted in UTF-16 units.
  const goal = long ? 2 * MAX_LINE + int(d, 2 * MAX_LINE) : int(d, 120);
  for (let size = 0; size < goal; size += parts.at(-1)!.length) parts.push(d.pick(chunks)(d));
  return Buffer.concat(parts);
};

/** Events a line gives, as line-reader.ts documents: pieces of maxLineLength UTF-16 units, never splitting a surrogate pair. */
function pieces(text: string): number {
  let n = 1;
  for (let at = 0; text.length - at > MAX_LINE; n++) {
    const high = text.charCodeAt(at + MAX_LINE - 1);
    at += high >= 0xd800 && high <= 0xdbff ? MAX_LINE - 1 : MAX_LINE;
  }
  return n;
}

test('spooled files with invalid UTF-8, NULs, CRLF and overlong lines are all read and completed', { timeout: 60_000 }, async (t) => {
  const d = new Dice(SEED + 2);
  const dir = tempDir('hostile');
  // Java's decoder and WHATWG's agree on U+FFFD per maximal subpart, so TextDecoder is an independent oracle for REPLACE.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const files = Array.from({ length: 60 }, (_, f) => {
    const lines: Buffer[] = Array.from({ length: f === 0 ? 0 : int(d, 12) }, () => Buffer.concat([line(d, d.next() < 0.15), Buffer.from(d.pick(['\n', '\r\n', '\n']))]));
    if (f > 0 && d.next() < 0.3) lines.push(line(d, d.next() < 0.3));
    const name = `f${String(f).padStart(2, '0')}.log`;
    const content = Buffer.concat(lines);
    writeFileSync(join(dir, name), content);
    const text = decoder.decode(content).split('\n');
    if (text.at(-1) === '') text.pop();
    // source.ts, like Flume's reader, puts one empty event for a file that has none, so zero lines expect one event.
    const expected = text.length === 0 ? 1 : text.reduce((sum, l) => sum + pieces(l), 0);
    return { name, text: text.join(''), expected, split: text.some((l) => l.length > MAX_LINE) };
  });
  const total = files.reduce((sum, f) => sum + f.expected, 0);
  assert.ok(files.some((f) => f.split), 'the seed produced no overlong line: the split rule went untested');
  const a = await startAgent({ spoolDir: dir, decodeErrorPolicy: 'REPLACE', basenameHeader: true, pollDelay: 50 });
  const got = await a.takeN(total, 20_000);
  assert.equal(got.length, total, 'events delivered');
  assert.deepEqual(await a.take(1000, 200), [], 'no events beyond one per line piece');
  await until('every file is renamed .COMPLETED', () => readdirSync(dir).filter((n) => n.endsWith('.COMPLETED')).length === files.length, 10_000);
  assert.deepEqual(readdirSync(dir).sort(), ['.flumespool', ...files.map((f) => `${f.name}.COMPLETED`)]);
  for (const f of files) {
    const bodies = got.filter((e) => e.headers['basename'] === f.name).map((e) => e.body.toString('utf8'));
    assert.equal(bodies.length, f.expected, `${f.name}: events`);
    assert.ok(bodies.every((b) => b.length <= MAX_LINE), `${f.name}: a body over maxLineLength`);
    assert.equal(bodies.join(''), f.text, `${f.name}: the bodies are not the file's lines`);
  }
  const splitWarnings = a.logs.filter((l) => /longer than the deserializer's limit/.test(l.msg)).length;
  assert.equal(splitWarnings, files.filter((f) => f.split).length, 'one warning per file with an overlong line');
  assert.deepEqual(a.logs.filter((l) => l.level >= 50).map((l) => l.msg), [], 'errors logged');
  assert.equal(a.counter().eventReadFail, 0);
  await a.stop();
  t.diagnostic(`seed ${SEED}: ${files.length} files, ${files.filter((f) => f.split).length} with overlong lines, ${total} events`);
});
