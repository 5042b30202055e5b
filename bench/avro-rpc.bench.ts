/**
 * Avro RPC hop on loopback: our client → our server, 500-byte events, no headers (as Flume's
 * StressSource). The server runs in a child process, like a second agent, and answers OK at once.
 * Compare with Flume's own avro sink → avro source hop on the same machine (436 k events/s).
 * Also times the event-array codec against avsc on the same batch.
 *
 *   npx tsx bench/avro-rpc.bench.ts [seconds per scenario, default 4]
 */
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { AvroReader } from '../src/avro-rpc/avro-binary.ts';
import { AvroRpcClient } from '../src/avro-rpc/client.ts';
import { decodeParams, encodeCall } from '../src/avro-rpc/codec.ts';
import { AvroRpcServer } from '../src/avro-rpc/server.ts';
import type { Compression } from '../src/avro-rpc/transport.ts';
import type { Event } from '../src/core/event.ts';

type Payload = 'lines' | 'stress';

/**
 * `lines`: like the S2 data set, a 10-digit counter, a space, 488 base64 characters of random
 * bytes and a newline. `stress`: StressSource's 500 bytes of 0x7F, trivially compressible, which is
 * what Flume's own deflate figure was measured with.
 */
function events(n: number, payload: Payload = 'lines'): Event[] {
  return Array.from({ length: n }, (_, i) => ({
    headers: {},
    body:
      payload === 'stress'
        ? Buffer.alloc(500, 0x7f)
        : Buffer.from(`${String(i).padStart(10, '0')} ${randomBytes(366).toString('base64')}\n`),
  }));
}

async function serve(): Promise<void> {
  const servers = await Promise.all(
    (['none', 'deflate'] as Compression[]).map(async (compression) => {
      const server = new AvroRpcServer({ host: '127.0.0.1', port: 0, compression }, async () => 'OK');
      return [compression, (await server.listen()).port] as const;
    }),
  );
  process.send!(Object.fromEntries(servers));
}

interface Scenario {
  compression: Compression;
  payload: Payload;
  batchSize: number;
  inFlight: number;
}

async function hop(port: number, { compression, payload, batchSize, inFlight }: Scenario, seconds: number) {
  const client = await AvroRpcClient.connect({ host: '127.0.0.1', port, compression, maxInFlight: inFlight });
  const batch = events(batchSize, payload);
  let sent = 0;
  const run = async (until: number) => {
    while (Date.now() < until) {
      await client.appendBatch(batch);
      sent += batch.length;
    }
  };
  const lanes = (until: number) => Promise.all(Array.from({ length: inFlight }, () => run(until)));
  await lanes(Date.now() + 1000);
  sent = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await lanes(Date.now() + seconds * 1000);
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  await client.close();
  return { rate: sent / secs, mbps: (sent * 500) / secs / 1e6, cpu: (used.user + used.system) / 1e6 / secs };
}

function timeIt(fn: () => void, rounds: number): number {
  for (let i = 0; i < 20; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function codec(): void {
  const batch = events(1000).map((e, i) => ({ headers: { host: 'web-1', seq: String(i) }, body: e.body }));
  const type = avro.Type.forSchema({
    type: 'array',
    items: {
      type: 'record',
      name: 'AvroFlumeEvent',
      fields: [
        { name: 'headers', type: { type: 'map', values: 'string' } },
        { name: 'body', type: 'bytes' },
      ],
    },
  });
  const params = type.toBuffer(batch);
  const rounds = 2000;
  // The client writes packs into reused buffers; avsc reuses its own internal buffer too.
  const reused = Buffer.allocUnsafe(1 << 20);
  const alloc = (size: number) => reused.subarray(0, size);
  const rows = [
    ['encode, ours', timeIt(() => encodeCall(1, 'appendBatch', batch, { alloc }), rounds)],
    ['encode, avsc', timeIt(() => type.toBuffer(batch), rounds)],
    ['decode, ours', timeIt(() => decodeParams(new AvroReader(params), 'appendBatch'), rounds)],
    ['decode, avsc', timeIt(() => type.fromBuffer(params), rounds)],
  ] as const;
  console.log('codec, 1000 events of 500 B with 2 headers:');
  for (const [name, secs] of rows) console.log(`  ${name.padEnd(13)} ${((rounds * 1000) / secs / 1e6).toFixed(2)} M events/s`);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 4);
  codec();
  const server = fork(fileURLToPath(import.meta.url), ['serve'], { execArgv: ['--import', 'tsx'] });
  const [ports] = (await once(server, 'message')) as [Record<Compression, number>];
  const scenarios: Scenario[] = [
    ...[100, 1000].flatMap((batchSize) =>
      [1, 4].map((inFlight) => ({ compression: 'none' as const, payload: 'lines' as const, batchSize, inFlight })),
    ),
    ...(['lines', 'stress'] as const).flatMap((payload) =>
      [1, 4].map((inFlight) => ({ compression: 'deflate' as const, payload, batchSize: 1000, inFlight })),
    ),
  ];
  console.log('hop (client CPU in cores):');
  for (const sc of scenarios) {
    const r = await hop(ports[sc.compression], sc, seconds);
    console.log(
      `  ${sc.compression.padEnd(7)} ${sc.payload.padEnd(6)} batch ${String(sc.batchSize).padStart(4)} in flight ${sc.inFlight}: ` +
        `${Math.round(r.rate).toLocaleString('en').padStart(9)} events/s  ${r.mbps.toFixed(0).padStart(4)} MB/s  CPU ${r.cpu.toFixed(2)}`,
    );
  }
  server.kill();
}

if (process.argv[2] === 'serve') await serve();
else await main();
