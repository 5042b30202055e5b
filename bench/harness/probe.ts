/**
 * Batch latency of an RPC hop, measured the same way for both agents: while the hop is loaded, the
 * harness sends its own small `appendBatch` call to the receiving avro source at a fixed pace and
 * times each answer. That is what any sender of that source waits per batch (the put into the
 * receiver's channel plus its queueing under load), without instrumenting either agent. The probe's
 * events reach the measured channel too; `accepted` lets the counter leave them out.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AvroRpcClient } from '../../src/avro-rpc/client.ts';
import type { Compression } from '../../src/avro-rpc/transport.ts';
import type { Event } from '../../src/core/event.ts';

export interface ProbeTarget {
  port: number;
  compression: Compression;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  samples: number;
}

const PROBE_EVENTS = 100;
const PROBE_EVERY_MS = 100;

export class LatencyProbe {
  /** Probe events the receiver answered OK, so counted at its channel. */
  accepted = 0;
  failed = 0;
  private readonly samples: Array<{ at: number; ms: number }> = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly target: ProbeTarget,
    bodyBytes: number,
  ) {
    const body = Buffer.alloc(bodyBytes, 0x61);
    const batch: Event[] = Array.from({ length: PROBE_EVENTS }, () => ({ headers: {}, body }));
    this.loop = this.run(batch);
  }

  /** Percentiles of the answers that arrived between `from` and `to` (performance.now() times). */
  within(from: number, to: number): LatencySummary | undefined {
    const ms = this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms);
    if (ms.length === 0) return undefined;
    ms.sort((a, b) => a - b);
    const pick = (q: number) => round2(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!);
    return { p50: pick(0.5), p99: pick(0.99), samples: ms.length };
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(batch: Event[]): Promise<void> {
    let client: AvroRpcClient | undefined;
    while (this.running) {
      try {
        client ??= await AvroRpcClient.connect({ host: '127.0.0.1', ...this.target, maxInFlight: 1 });
        const sent = performance.now();
        const status = await client.appendBatch(batch);
        const at = performance.now();
        if (status === 'OK') {
          this.accepted += batch.length;
          this.samples.push({ at, ms: at - sent });
        } else this.failed++;
      } catch {
        // A broken or refused connection is a failed probe; the next one reconnects.
        this.failed++;
        client?.destroy();
        client = undefined;
      }
      await delay(PROBE_EVERY_MS);
    }
    await client?.close().catch(() => undefined);
  }
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
