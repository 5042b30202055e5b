/**
 * Loads an agent's configuration: read the file(s) (later files override earlier keys, as Flume
 * 1.10+ merges several -f files), substitute ${…}, then check and type everything (flume.ts).
 * Throws ConfigErrors listing every problem; returns the plan with its warnings otherwise.
 */
import { ConfigError, ConfigErrors } from '../errors.ts';
import { buildPlan } from './flume.ts';
import type { AgentPlan } from './plan.ts';
import { loadPlugins } from './plugins.ts';
import { type LoadedProperties, loadPropertiesFile, parseProperties, type PropEntry } from './properties.ts';
import { substitute } from './substitute.ts';

export interface LoadOptions {
  files: string[];
  agent: string;
  env?: NodeJS.ProcessEnv;
  sys?: Readonly<Record<string, string>>;
  /** Text to parse instead of reading `files` (tests, hot reload). */
  text?: string;
}

export function loadConfig(o: LoadOptions): AgentPlan {
  const { entries, warnings } = readEntries(o);
  return buildPlan(entries, o.agent, o.files.join(', '), warnings);
}

/** As loadConfig, after importing the user modules that `type` keys name (plugins.ts). */
export async function loadConfigAsync(o: LoadOptions): Promise<AgentPlan> {
  const { entries, warnings } = readEntries(o);
  await loadPlugins(entries, o.agent);
  return buildPlan(entries, o.agent, o.files.join(', '), warnings);
}

function readEntries(o: LoadOptions): { entries: Map<string, PropEntry>; warnings: ConfigError[] } {
  const entries = new Map<string, PropEntry>();
  const warnings: ConfigError[] = [];
  const text = o.text;
  const sources = text !== undefined ? [refuse(() => parseProperties(text, o.files[0] ?? '<text>'))] : o.files.map((f) => refuse(() => loadPropertiesFile(f)));
  for (const loaded of sources) {
    for (const [k, e] of loaded.entries) entries.set(k, e);
    warnings.push(...loaded.warnings);
  }
  const envFilters = new Set<string>();
  for (const e of entries.values()) {
    const m = new RegExp(`^${escapeRegExp(o.agent)}\\.configfilters\\.([^.]+)\\.type$`).exec(e.key);
    if (m && e.value.toLowerCase() === 'env') envFilters.add(m[1]!);
  }
  warnings.push(...substitute(entries, { env: o.env ?? process.env, sys: o.sys ?? {}, envFilters }));
  return { entries, warnings };
}

/** A file that cannot be read or parsed is refused like any other problem: as ConfigErrors, whether read from disk or given as text. */
function refuse(read: () => LoadedProperties): LoadedProperties {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigErrors([err]);
    throw err;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
