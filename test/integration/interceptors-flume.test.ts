// Sluice's interceptors against Apache Flume 1.11's: one properties text configures a seq source with the same
// chain of interceptors in both. Flume's events come to our Avro RPC server through its avro sink; Sluice's are
// read from its memory channel. Bodies and headers must agree (the timestamp header only within the run's time).
// The uuid interceptor is not part of Flume's agent jars (it ships with the morphline Solr sink), so it is not here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from '../../src/agent/agent.ts';
import { AvroRpcServer } from '../../src/avro-rpc/server.ts';
import { loadConfig } from '../../src/config/load.ts';
import { withTransaction } from '../../src/core/channel.ts';
import type { Event } from '../../src/core/event.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { type FlumePeer, showPeerLogsOnFailure, startFlume } from '../helpers/peers.ts';

showPeerLogsOnFailure();

const TOTAL = 30;
const MILLIS = 'org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer';

// Written as a properties file: backslashes doubled, non-ASCII as \uXXXX (Flume reads the file as ISO-8859-1).
const chain = String.raw`
a1.sources.r1.interceptors = body keep drop ex dc tmp gone ts ip name rm
a1.sources.r1.interceptors.body.type = search_replace
a1.sources.r1.interceptors.body.searchPattern = ^(\\d*?)(\\d)$
a1.sources.r1.interceptors.body.replaceString = event $0 at 2026-11-26 13:0$2:00 +0100 by zo\u00eb \\$$1
a1.sources.r1.interceptors.keep.type = org.apache.flume.interceptor.RegexFilteringInterceptor$Builder
a1.sources.r1.interceptors.keep.regex = at \\S+ 13:0[0-6]
a1.sources.r1.interceptors.drop.type = REGEX_FILTER
a1.sources.r1.interceptors.drop.regex = ^event 1\\d\\s
a1.sources.r1.interceptors.drop.excludeEvents = true
a1.sources.r1.interceptors.ex.type = regex_extractor
a1.sources.r1.interceptors.ex.regex = ^event (\\d+) at ((\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d):\\d\\d [+-]\\d{4}) by (\\p{L}+)
a1.sources.r1.interceptors.ex.serializers = n utc local user
a1.sources.r1.interceptors.ex.serializers.n.name = num
a1.sources.r1.interceptors.ex.serializers.n.type = DEFAULT
a1.sources.r1.interceptors.ex.serializers.utc.name = at
a1.sources.r1.interceptors.ex.serializers.utc.type = ${MILLIS}
a1.sources.r1.interceptors.ex.serializers.utc.pattern = yyyy-MM-dd HH:mm:ss Z
a1.sources.r1.interceptors.ex.serializers.local.name = atLocal
a1.sources.r1.interceptors.ex.serializers.local.type = ${MILLIS}
a1.sources.r1.interceptors.ex.serializers.local.pattern = yyyy-MM-dd HH:mm
a1.sources.r1.interceptors.ex.serializers.user.name = user
a1.sources.r1.interceptors.dc.type = static
a1.sources.r1.interceptors.dc.key = dc
a1.sources.r1.interceptors.dc.value = NYC
a1.sources.r1.interceptors.tmp.type = static
a1.sources.r1.interceptors.tmp.key = tmpA
a1.sources.r1.interceptors.gone.type = static
a1.sources.r1.interceptors.gone.key = gone
a1.sources.r1.interceptors.ts.type = timestamp
a1.sources.r1.interceptors.ts.headerName = ts
a1.sources.r1.interceptors.ip.type = host
a1.sources.r1.interceptors.ip.hostHeader = ip
a1.sources.r1.interceptors.name.type = org.apache.flume.interceptor.HostInterceptor$Builder
a1.sources.r1.interceptors.name.useIP = false
a1.sources.r1.interceptors.rm.type = remove_header
a1.sources.r1.interceptors.rm.withName = gone
a1.sources.r1.interceptors.rm.matching = tmp.*
`;

function properties(sink: string[]): string {
  const lines = ['a1.sources = r1', 'a1.channels = c1', 'a1.sources.r1.type = seq', `a1.sources.r1.totalEvents = ${TOTAL}`, 'a1.sources.r1.batchSize = 10'];
  lines.push('a1.sources.r1.channels = c1', 'a1.channels.c1.type = memory', chain, ...sink);
  return `${lines.join('\n')}\n`;
}

/** Events keyed by body, with the timestamp header checked against [from, to] and then left out. */
function normalise(events: Event[], from: number, to: number): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const e of events) {
    const { ts, ...rest } = e.headers;
    const stamp = Number(ts);
    assert.ok(stamp >= from && stamp <= to, `timestamp ${ts} is outside the run (${from}–${to})`);
    out.set(e.body.toString('utf8'), rest);
  }
  return out;
}

describe('interceptors: Sluice and Flume 1.11 agree', () => {
  let flume: FlumePeer | undefined;
  let server: AvroRpcServer | undefined;
  const fromFlume: Event[] = [];
  let window: [number, number] = [0, 0];

  before(async () => {
    server = new AvroRpcServer({ host: '127.0.0.1', port: 0 }, async (batch) => {
      fromFlume.push(...batch);
      return 'OK';
    });
    const port = (await server.listen()).port;
    const start = Date.now();
    flume = await startFlume(
      properties(['a1.sinks = k1', 'a1.sinks.k1.type = avro', 'a1.sinks.k1.channel = c1', 'a1.sinks.k1.hostname = 127.0.0.1', `a1.sinks.k1.port = ${port}`]),
      'a1',
    );
    for (let i = 0; i < 300 && fromFlume.length < 14; i++) await delay(100);
    window = [start, Date.now()];
  }, { timeout: 10 * 60_000 });

  after(async () => {
    await flume?.stop();
    await server?.close(1000);
  });

  test('the same chain gives the same bodies and headers', async () => {
    const agent = new Agent(loadConfig({ files: ['agent.properties'], agent: 'a1', text: properties([]) }), { logger: silentLogger });
    const start = Date.now();
    await agent.start();
    let ours: Event[];
    try {
      const channel = agent.running!.channels.get('c1')!;
      for (let i = 0; i < 200 && channel.size() < 14; i++) await delay(20);
      ours = await withTransaction(channel.beginTake(), (tx) => tx.take(100));
    } finally {
      await agent.stop(0);
    }
    const theirs = normalise(fromFlume, ...window);
    const mine = normalise(ours, start, Date.now());

    assert.equal(theirs.size, 14, `Flume delivered ${[...theirs.keys()].join(' | ')}`);
    assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
    for (const [body, headers] of theirs) assert.deepEqual(mine.get(body), headers, body);

    // What the chain should have done, beyond the two agreeing.
    const sample = theirs.get('event 23 at 2026-11-26 13:03:00 +0100 by zoë $2')!;
    assert.equal(sample['num'], '23');
    assert.equal(sample['at'], String(Date.UTC(2026, 10, 26, 12, 3)));
    assert.equal(sample['atLocal'], String(new Date(2026, 10, 26, 13, 3).getTime()));
    assert.equal(sample['user'], 'zoë');
    assert.equal(sample['dc'], 'NYC');
    assert.deepEqual(Object.keys(sample).sort(), ['at', 'atLocal', 'dc', 'host', 'ip', 'num', 'user']);
  });
});
