/**
 * Measures one run of a scenario from outside the agents, identically for Sluice and Flume: polls the
 * measured channel's `EventTakeSuccessCount` on /metrics (the null sink has no counter of its own) and
 * the CPU time of every agent process, and rates the window between 10 % and 90 % of the expected
 * events, so start-up, JIT warm-up and the tail stay out. Peak RSS is each process's VmHWM at the end.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningAgent } from './agents.ts';
import { cpuSeconds, load1, peakRssMB } from './procfs.ts';
import { type LatencyProbe, type LatencySummary, round2 } from './probe.ts';

export interface RunResult {
  /** False when the run ended before two polls saw events move: nothing to rate (tiny --quick runs). */
  rated: boolean;
  eventsPerSec: number;
  mbPerSec: number;
  /** CPU seconds of all the scenario's agent processes per million events, over the window. */
  cpuSecPerMillion: number;
  /** Sum of the agent processes' peak RSS. */
  peakRssMB: number;
  rssByRole: Record<string, number>;
  latencyMs?: LatencySummary;
  /** Events and seconds of the measured window. */
  windowEvents: number;
  windowSeconds: number;
  /** From the first poll to the last event. */
  runSeconds: number;
  loadAverage: { start: number; end: number };
}

export interface MeasureSpec {
  agents: RunningAgent[];
  /** The agent whose channel counts the events. */
  measured: RunningAgent;
  channel: string;
  total: number;
  bodyBytes: number;
  probe?: LatencyProbe;
  /** Fails the run when the count stands still this long. */
  stallMs?: number;
}

interface Sample {
  at: number;
  count: number;
  cpu: number;
}

const POLL_MS = 100;

export async function measureRun(spec: MeasureSpec): Promise<RunResult> {
  const { agents, measured, total } = spec;
  const loadStart = load1();
  const cpu = () => agents.reduce((sum, a) => sum + cpuSeconds(a.pid), 0);
  const samples: Sample[] = [];
  let lastChange = performance.now();
  for (;;) {
    const m = await measured.metrics();
    const taken = Number(m[`CHANNEL.${spec.channel}`]?.['EventTakeSuccessCount'] ?? Number.NaN);
    if (Number.isNaN(taken)) throw new Error(`${measured.role} reports no channel "${spec.channel}" on /metrics.`);
    const s: Sample = { at: performance.now(), count: taken - (spec.probe?.accepted ?? 0), cpu: cpu() };
    if (samples.length > 0 && s.count !== samples[samples.length - 1]!.count) lastChange = s.at;
    samples.push(s);
    if (s.count >= total) break;
    if (s.at - lastChange > (spec.stallMs ?? 60_000)) {
      const logs = agents.map((a) => `----- ${a.role} -----\n${a.logTail(20)}`).join('\n');
      throw new Error(`${measured.role} counted ${s.count} of ${total} events and then nothing for ${Math.round((s.at - lastChange) / 1000)} s.\n${logs}`);
    }
    await delay(POLL_MS);
  }
  const rssByRole: Record<string, number> = {};
  for (const a of agents) rssByRole[a.role] = Math.round(peakRssMB(a.pid));
  const runSeconds = round2((samples[samples.length - 1]!.at - samples[0]!.at) / 1000);
  const common = {
    peakRssMB: Object.values(rssByRole).reduce((a, b) => a + b, 0),
    rssByRole,
    runSeconds,
    loadAverage: { start: loadStart, end: load1() },
  };
  const span = window(samples, total);
  if (!span) return { rated: false, eventsPerSec: 0, mbPerSec: 0, cpuSecPerMillion: 0, windowEvents: 0, windowSeconds: 0, ...common };
  const [from, to] = span;
  const events = to.count - from.count;
  const seconds = (to.at - from.at) / 1000;
  const latencyMs = spec.probe?.within(from.at, to.at);
  return {
    rated: true,
    eventsPerSec: Math.round(events / seconds),
    mbPerSec: round2((events * spec.bodyBytes) / seconds / 1e6),
    cpuSecPerMillion: round2(((to.cpu - from.cpu) / events) * 1e6),
    ...(latencyMs ? { latencyMs } : {}),
    windowEvents: events,
    windowSeconds: round2(seconds),
    ...common,
  };
}

/**
 * The first samples at or past 10 % and 90 % of the total. A run too short for distinct ones (a
 * --quick run can finish between two polls) falls back to the whole span polled, or to nothing.
 */
function window(samples: Sample[], total: number): [Sample, Sample] | undefined {
  const from = samples.find((s) => s.count >= total * 0.1)!;
  const to = samples.find((s) => s.count >= total * 0.9)!;
  if (to.count > from.count) return [from, to];
  const [first, last] = [samples[0]!, samples[samples.length - 1]!];
  return last.count > first.count ? [first, last] : undefined;
}
