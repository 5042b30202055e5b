/**
 * `${…}` substitution in values, a deterministic superset of Flume 1.10+/1.11:
 * `${env:X}`, `${sys:X}` (from -D flags), `${X}` (another key of the file, else the environment, as
 * with Flume's EnvVarResolverProperties), any of them with `:-default`, and env config filters
 * `${f['KEY']}`. Flume resolves `${otherKey}` in hash order, so it may or may not work there; Sluice
 * always resolves it. Anything unresolved stays literal, as in Flume, with a warning.
 */
import { ConfigError } from '../errors.ts';
import type { PropEntry } from './properties.ts';

export interface SubstitutionContext {
  env: NodeJS.ProcessEnv;
  sys: Readonly<Record<string, string>>;
  /** Names of config filters of type `env`. */
  envFilters?: ReadonlySet<string>;
}

const REF = /\$\{([^{}]+)\}/g;
const FILTER = /^([-\w]+)\[\s*(?:'([-\w]+)'|"([-\w]+)"|([-\w]+))\s*\]$/;

export function substitute(entries: Map<string, PropEntry>, ctx: SubstitutionContext): ConfigError[] {
  const warnings: ConfigError[] = [];
  const resolving = new Set<string>();
  const done = new Map<string, string>();

  const lookup = (name: string): string | undefined => {
    const filter = FILTER.exec(name);
    if (filter) return ctx.envFilters?.has(filter[1]!) ? ctx.env[filter[2] ?? filter[3] ?? filter[4]!] : undefined;
    if (name.startsWith('env:')) return ctx.env[name.slice(4)];
    if (name.startsWith('sys:')) return ctx.sys[name.slice(4)];
    if (entries.has(name)) return resolve(entries.get(name)!);
    return ctx.env[name];
  };

  const resolve = (e: PropEntry): string => {
    const cached = done.get(e.key);
    if (cached !== undefined) return cached;
    if (resolving.has(e.key)) {
      warnings.push(new ConfigError('SLUICE_CONFIG_BAD_VALUE', 'refers to itself through a $' + '{…} reference; left as written', { file: e.file, line: e.line, key: e.key, value: e.value }));
      return e.value;
    }
    resolving.add(e.key);
    const value = e.value.replace(REF, (whole, expr: string) => {
      const sep = expr.indexOf(':-');
      const name = sep >= 0 ? expr.slice(0, sep) : expr;
      const found = lookup(name.trim());
      if (found !== undefined && found !== '') return found;
      if (sep >= 0) return expr.slice(sep + 2);
      warnings.push(new ConfigError('SLUICE_CONFIG_BAD_VALUE', `has an unresolved reference ${whole}; it is left as written`, { file: e.file, line: e.line, key: e.key }));
      return whole;
    });
    resolving.delete(e.key);
    done.set(e.key, value);
    return value;
  };

  for (const e of entries.values()) {
    if (e.value.includes('${')) e.value = resolve(e);
  }
  return warnings;
}
