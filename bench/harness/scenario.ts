/**
 * What a scenario declares (its agents, which channel counts, how many events) and how it is run:
 * Sluice and Flume take turns, run after run, on the same properties text, so that whatever else the
 * machine is doing weighs on both alike. A scenario whose Sluice components are not registered yet is
 * reported as "not built" instead of being run.
 */
import { loadConfig } from '../../src/config/load.ts';
import { ConfigErrors } from '../../src/errors.ts';
import { type AgentOptions, type AgentSpec, type Impl, type RunningAgent, startAgent } from './agents.ts';
import { measureRun, type RunResult } from './measure.ts';
import { LatencyProbe, type ProbeTarget } from './probe.ts';
import { baselineConfig } from './workload.ts';

export interface RunContext {
  impl: Impl;
  /** 1-based. */
  run: number;
  quick: boolean;
}

export interface Topology {
  /** Start order: the agents of a wave start together, a wave once the previous one is ready. */
  waves: AgentSpec[][];
  /** Role of the agent whose channel counts the events. */
  measured: string;
  channel: string;
  /** Events the measured channel takes in the whole run. */
  total: number;
  /** For an RPC hop: the receiving avro source, probed for batch latency. */
  probe?: ProbeTarget;
  /** Called once every agent is ready, e.g. to drop the input file into the spool directory. */
  started?(): void;
}

export interface Scenario {
  id: string;
  title: string;
  bodyBytes: number;
  /** The baseline properties files (test/peers/flume/bench) it runs. */
  configs: string[];
  /** An outside peer the scenario needs, started once by setup: skipped by --quick unless named. */
  peer?: 'Kafka' | 'HDFS';
  setup?(quick: boolean): Promise<void>;
  topology(ctx: RunContext): Promise<Topology>;
  teardown?(): Promise<void>;
}

export type Status = 'ok' | 'not built' | 'failed' | 'skipped';

export interface Outcome {
  id: string;
  title: string;
  configs: string[];
  status: Status;
  /** Why it was not built, skipped or failed. */
  note?: string;
  runs: Partial<Record<Impl, RunResult[]>>;
  errors: Partial<Record<Impl, string>>;
}

export interface RunnerOptions {
  impls: Impl[];
  runs: number;
  quick: boolean;
  agent: AgentOptions;
  log: (line: string) => void;
}

/** Component types of the scenario's configs that Sluice's registries do not know. */
export function unbuilt(sc: Scenario): string[] {
  const missing = new Set<string>();
  for (const file of sc.configs) {
    const text = baselineConfig(file);
    const agent = /^\s*([^#\s.]+)\./m.exec(text)?.[1] ?? '';
    try {
      loadConfig({ files: [file], agent, text });
    } catch (err) {
      if (!(err instanceof ConfigErrors)) throw err;
      for (const e of err.errors) if (e.code === 'SLUICE_CONFIG_UNKNOWN_TYPE' && e.value) missing.add(e.value);
    }
  }
  return [...missing];
}

export async function runScenario(sc: Scenario, o: RunnerOptions): Promise<Outcome> {
  const outcome: Outcome = { id: sc.id, title: sc.title, configs: sc.configs, status: 'ok', runs: {}, errors: {} };
  const missing = unbuilt(sc);
  if (missing.length > 0) return { ...outcome, status: 'not built', note: `Sluice has no ${missing.join(', ')} yet` };
  try {
    await sc.setup?.(o.quick);
    for (let run = 1; run <= o.runs; run++) {
      for (const impl of o.impls) {
        if (outcome.errors[impl]) continue;
        o.log(`${sc.id} ${impl} run ${run}/${o.runs} ...`);
        try {
          const r = await runOnce(sc, { impl, run, quick: o.quick }, o.agent);
          outcome.runs[impl] = [...(outcome.runs[impl] ?? []), r];
          o.log(`${sc.id} ${impl} run ${run}: ${r.eventsPerSec.toLocaleString('en')} events/s, ${r.peakRssMB} MB, load ${r.loadAverage.end}`);
        } catch (err) {
          outcome.errors[impl] = (err as Error).message;
          o.log(`${sc.id} ${impl} run ${run} failed: ${(err as Error).message}`);
        }
      }
    }
  } catch (err) {
    outcome.errors.sluice ??= `setup failed: ${(err as Error).message}`;
  } finally {
    await sc.teardown?.();
  }
  if (o.impls.every((impl) => !outcome.runs[impl]?.length)) outcome.status = 'failed';
  return outcome;
}

async function runOnce(sc: Scenario, ctx: RunContext, opts: AgentOptions): Promise<RunResult> {
  const topo = await sc.topology(ctx);
  const agents: RunningAgent[] = [];
  let probe: LatencyProbe | undefined;
  try {
    for (const wave of topo.waves) {
      const started = await Promise.allSettled(wave.map((spec) => startAgent(ctx.impl, spec, opts)));
      for (const s of started) if (s.status === 'fulfilled') agents.push(s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    }
    const measured = agents.find((a) => a.role === topo.measured)!;
    if (topo.probe) probe = new LatencyProbe(topo.probe, sc.bodyBytes);
    topo.started?.();
    return await measureRun({ agents, measured, channel: topo.channel, total: topo.total, bodyBytes: sc.bodyBytes, ...(probe ? { probe } : {}) });
  } finally {
    await probe?.stop();
    // Senders first, so the receivers do not log refused connections of a half-stopped chain.
    for (const a of agents.reverse()) await a.stop();
  }
}
