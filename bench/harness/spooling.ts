/**
 * The shape of the spooling-directory scenarios: one agent reads one file of 500-byte lines from a
 * fresh spool directory; the file is made once (and stays page-cached) and appears in the directory
 * once the agent is ready, so the agent's start-up is not part of the run.
 */
import type { Scenario } from './scenario.ts';
import { baselineConfig, freshDir, LINE_BYTES, linesFile, spool, withKeys } from './workload.ts';

export interface SpoolingScenario {
  id: string;
  title: string;
  config: string;
  mib: number;
  quickLines: number;
  /** More keys to rewrite for a run, given a function that makes fresh directories of that run. */
  keys?: (dir: (name: string) => string) => Record<string, string>;
}

export function spoolingScenario(s: SpoolingScenario): Scenario {
  return {
    id: s.id,
    title: s.title,
    bodyBytes: LINE_BYTES - 1,
    configs: [s.config],
    async topology({ impl, run, quick }) {
      const lines = quick ? s.quickLines : Math.floor((s.mib * 2 ** 20) / LINE_BYTES);
      const data = await linesFile(lines);
      const dir = (name: string) => freshDir(s.id, `${impl}-${run}`, name);
      const spoolDir = dir('spool');
      const properties = withKeys(baselineConfig(s.config), { 'a1.sources.r1.spoolDir': spoolDir, ...s.keys?.(dir) });
      return {
        waves: [[{ role: 'agent', agent: 'a1', properties }]],
        measured: 'agent',
        channel: 'c1',
        total: lines,
        started: () => spool(data, spoolDir),
      };
    },
  };
}
