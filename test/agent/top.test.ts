import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { Agent } from '../../src/agent/agent.ts';
import { type MonitoringServer, startMonitoring } from '../../src/agent/http.ts';
import { render, rows, top } from '../../src/agent/top.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { isSluiceError } from '../../src/errors.ts';

const snap = (received: number, put: number, size: number, drained: number, writeFail = 0) => ({
  'SOURCE.r1': { Type: 'SOURCE', EventReceivedCount: String(received), EventAcceptedCount: String(received), ChannelWriteFail: '0' },
  'CHANNEL.c1': { Type: 'CHANNEL', EventPutSuccessCount: String(put), EventTakeSuccessCount: String(drained), ChannelSize: String(size), ChannelCapacity: '1000', ChannelFillPercentage: String((size * 100) / 1000) },
  'SINK.k1': { Type: 'SINK', EventDrainAttemptCount: String(drained + writeFail), EventDrainSuccessCount: String(drained), EventWriteFail: String(writeFail), ConnectionFailedCount: '2' },
});

describe('agent top', () => {
  test('rates are counter deltas per second; a counter that went back (a restart) has no rate', () => {
    const r = rows(snap(1000, 1000, 250, 750), snap(3000, 3000, 500, 2500, 3), 2);
    assert.deepEqual(r, [
      { kind: 'source', name: 'r1', inRate: 1000, outRate: 1000, errors: 0 },
      { kind: 'channel', name: 'c1', inRate: 1000, outRate: 875, errors: 0, fill: 50, size: '500/1000' },
      { kind: 'sink', name: 'k1', inRate: 876.5, outRate: 875, errors: 5 },
    ]);
    assert.equal(rows(snap(3000, 3000, 0, 3000), snap(10, 10, 0, 10), 1)[0]!.inRate, undefined);
    assert.equal(rows(undefined, snap(10, 10, 0, 10), 1)[0]!.inRate, undefined);
  });

  test('the table aligns numbers right and shows fill and size for channels', () => {
    const text = render(rows(snap(0, 0, 0, 0), snap(12345, 12345, 10, 12335), 1), 'title');
    assert.equal(
      text,
      [
        'title',
        '',
        'COMPONENT  KIND       IN/s   OUT/s  FILL     SIZE  ERRORS',
        'r1         source   12,345  12,345                      0',
        'c1         channel  12,345  12,335  1.0%  10/1000       0',
        'k1         sink     12,335  12,335                      2',
        '',
      ].join('\n'),
    );
  });

  describe('against a running agent', () => {
    let agent: Agent;
    let server: MonitoringServer;
    after(async () => {
      await server?.close();
      await agent?.stop(0);
    });

    test('reads /metrics twice and prints live rates for every component', async () => {
      const text = 'a1.sources = r1\na1.channels = c1\na1.sinks = k1\na1.sources.r1.type = seq\na1.sources.r1.batchSize = 100\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\na1.channels.c1.capacity = 1000\na1.sinks.k1.type = null\na1.sinks.k1.channel = c1\na1.sinks.k1.logEveryNEvents = 0\n';
      agent = new Agent(loadConfig({ files: ['top'], agent: 'a1', text }), { logger: silentLogger });
      await agent.start();
      server = await startMonitoring(0, '127.0.0.1', () => agent.metrics);
      let out = '';
      const sink = new Writable({
        write(chunk, _enc, done) {
          out += chunk;
          done();
        },
      });
      await top({ url: `http://127.0.0.1:${server.port}`, intervalMs: 300, iterations: 1, out: sink });
      const line = (name: string) => out.split('\n').find((l) => l.startsWith(`${name} `))!;
      assert.match(out, /^agent top: http:\/\/127\.0\.0\.1:\d+\/metrics at .*, every 0\.3s\n/);
      for (const name of ['r1', 'c1', 'k1']) assert.ok(line(name), `${name} is listed`);
      const [, , inRate] = line('r1').split(/\s+/);
      assert.ok(Number(inRate!.replace(/,/g, '')) > 0, `r1 has a rate: ${line('r1')}`);
      assert.match(line('c1'), /%\s+\d+\/1000\s+0$/);
    });

    test('an address with no agent is a SLUICE_AGENT_UNREACHABLE error', async () => {
      await assert.rejects(top({ url: 'http://127.0.0.1:9', intervalMs: 10, iterations: 1, out: process.stdout }), (err) => isSluiceError(err, 'SLUICE_AGENT_UNREACHABLE') && /Cannot reach http:\/\/127\.0\.0\.1:9\/metrics/.test(err.message));
    });
  });
});
