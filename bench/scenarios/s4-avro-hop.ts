/**
 * Scenario 4: one Avro RPC hop on loopback. Agent A (StressSource → memory → avro sink) sends to
 * agent B (avro source → memory → null), both the same implementation; events are counted at B's
 * channel, CPU and RSS are A's plus B's (test/peers/flume/bench/s4a.properties → s4b.properties).
 * 4d is the same hop with `compression-type = deflate` at both ends (s4da → s4db); StressSource's
 * bodies are one repeated byte, so deflate sees trivially compressible data, as in Flume's baseline.
 */
import { freePort } from '../../test/helpers/peers.ts';
import type { Scenario } from '../harness/scenario.ts';
import { baselineConfig, withKeys } from '../harness/workload.ts';

function avroHop(id: string, title: string, sender: string, receiver: string, deflate: boolean, [full, short]: [number, number]): Scenario {
  return {
    id,
    title,
    bodyBytes: 500,
    configs: [sender, receiver],
    async topology({ quick }) {
      const total = quick ? short : full;
      const port = await freePort();
      const b = withKeys(baselineConfig(receiver), { 'b1.sources.r1.port': port });
      const a = withKeys(baselineConfig(sender), { 'a1.sinks.k1.port': port, 'a1.sources.r1.maxSuccessfulEvents': total });
      return {
        waves: [[{ role: 'receiver', agent: 'b1', properties: b, listens: [port] }], [{ role: 'sender', agent: 'a1', properties: a }]],
        measured: 'receiver',
        channel: 'c1',
        total,
        probe: { port, compression: deflate ? 'deflate' : 'none' },
      };
    },
  };
}

// Event counts give Flume ≥ 10 s at its baseline rates (436 k/s plain, 129 k/s with deflate), and
// a --quick run enough time for a few latency probes.
export const s4 = avroHop('s4', 'avro hop: stress → memory → avro ⇒ avro → memory → null', 's4a.properties', 's4b.properties', false, [6_000_000, 500_000]);
export const s4d = avroHop('s4d', 'avro hop with deflate', 's4da.properties', 's4db.properties', true, [2_000_000, 200_000]);
