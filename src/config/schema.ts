/**
 * Option tables: each component declares its keys once (type, default, doc). The same table parses
 * and validates a component's properties into a frozen typed object and generates docs/components.md.
 * Keys are spelled exactly as Flume spells them.
 */
import type { ErrorCode } from '../errors.ts';
import { type JavaRegexOptions, javaRegex } from './java-regex.ts';

export type OptionKind = 'int' | 'number' | 'bool' | 'string' | 'enum' | 'list' | 'prefix' | 'regex' | 'unsupported';

export interface OptionSpec<T> {
  readonly kind: OptionKind;
  readonly doc: string;
  readonly default?: unknown;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** Older or alternative spellings Flume also accepts (e.g. `brokerList`). */
  readonly aliases?: readonly string[];
  /** For `list`: the separator as a regex source (Flume splits most lists on whitespace). */
  readonly separator?: string;
  /** For `prefix`: the keys collected are those under `<under>.` rather than under the option's own key. */
  readonly under?: string;
  /** For `regex`: how the pattern is compiled. */
  readonly regex?: JavaRegexOptions;
  /** How docs show a default that is not a plain value (a regex's Java text). */
  readonly shownDefault?: string;
  /** Phantom: the parsed type. */
  readonly __type?: T;
}

export type Schema = Readonly<Record<string, OptionSpec<unknown>>>;
export type OptionsOf<S extends Schema> = {
  readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never;
};

type Base<T> = { default?: T; required?: boolean; aliases?: readonly string[] };
type Result<O, T> = O extends { default: T } | { required: true } ? T : T | undefined;

function spec<T>(kind: OptionKind, doc: string, o: object = {}): OptionSpec<T> {
  return Object.freeze({ kind, doc, ...o }) as OptionSpec<T>;
}

export const opt = {
  /** A Java int/long: decimal digits with an optional sign, as Integer.parseInt accepts. */
  int<O extends Base<number> & { min?: number; max?: number }>(doc: string, o?: O) {
    return spec<Result<O, number>>('int', doc, o);
  },
  /** A decimal number (Java double), e.g. a percentage. */
  number<O extends Base<number> & { min?: number; max?: number }>(doc: string, o?: O) {
    return spec<Result<O, number>>('number', doc, o);
  },
  /** `true` or `false`, any case. (Flume reads anything else as false; Sluice refuses it.) */
  bool<O extends Base<boolean>>(doc: string, o?: O) {
    return spec<Result<O, boolean>>('bool', doc, o);
  },
  string<O extends Base<string>>(doc: string, o?: O) {
    return spec<Result<O, string>>('string', doc, o);
  },
  /** One of fixed values, matched case-insensitively; parsed to the spelling in `values`. */
  enum<const V extends readonly string[], O extends Base<V[number]>>(doc: string, values: V, o?: O) {
    return spec<Result<O, V[number]>>('enum', doc, { ...o, values });
  },
  /** A list split on whitespace (or `separator`), empty entries dropped. */
  list<O extends Base<readonly string[]> & { separator?: string }>(doc: string, o?: O) {
    return spec<Result<O, readonly string[]>>('list', doc, o);
  },
  /** Every key under `<key>.` collected with the prefix removed (e.g. `kafka.producer.*`). */
  prefix(doc: string, o?: { under?: string }) {
    return spec<Readonly<Record<string, string>>>('prefix', doc, o);
  },
  /**
   * A Java regular expression (Flume compiles with java.util.regex), translated and compiled at load
   * time, so a pattern Sluice cannot run is reported with the file, line and key (java-regex.ts).
   */
  regex<O extends { default?: string; required?: boolean; aliases?: readonly string[] } & JavaRegexOptions>(doc: string, o?: O) {
    const { global, fullMatch, default: java, ...rest } = o ?? {};
    const regex = { global, fullMatch };
    const compiled = java === undefined ? undefined : javaRegex(java, regex);
    return spec<O extends { default: string } | { required: true } ? RegExp : RegExp | undefined>('regex', doc, { ...rest, regex, default: compiled, shownDefault: java });
  },
  /** A key Flume accepts that Sluice does not implement: a warning naming it, never silence. */
  unsupported(doc: string) {
    return spec<undefined>('unsupported', doc);
  },
};

export interface RawValue {
  value: string;
  line?: number;
}

export interface OptionProblem {
  code: ErrorCode;
  key: string;
  line?: number;
  value?: string;
  expected: string;
}

export interface ParsedOptions<S extends Schema> {
  options: OptionsOf<S>;
  errors: OptionProblem[];
  warnings: OptionProblem[];
}

const INT_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describe(s: OptionSpec<unknown>): string {
  switch (s.kind) {
    case 'int':
      return `an integer${range(s)}`;
    case 'number':
      return `a number${range(s)}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${s.values!.join(', ')}`;
    case 'list':
      return 'a list of names';
    case 'regex':
      return 'a Java regular expression';
    default:
      return 'a value';
  }
}

function range(s: OptionSpec<unknown>): string {
  if (s.min !== undefined && s.max !== undefined) return ` from ${s.min} to ${s.max}`;
  if (s.min !== undefined) return ` ≥ ${s.min}`;
  if (s.max !== undefined) return ` ≤ ${s.max}`;
  return '';
}

function convert(s: OptionSpec<unknown>, raw: string): { ok: true; value: unknown } | { ok: false; expected?: string } {
  switch (s.kind) {
    case 'int': {
      if (!INT_RE.test(raw)) return { ok: false };
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) return { ok: false };
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) return { ok: false };
      return { ok: true, value: n };
    }
    case 'number': {
      if (!NUMBER_RE.test(raw)) return { ok: false };
      const n = Number(raw);
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) return { ok: false };
      return { ok: true, value: n };
    }
    case 'bool': {
      const l = raw.toLowerCase();
      if (l === 'true') return { ok: true, value: true };
      if (l === 'false') return { ok: true, value: false };
      return { ok: false };
    }
    case 'enum': {
      const found = s.values!.find((v) => v.toLowerCase() === raw.toLowerCase());
      return found === undefined ? { ok: false } : { ok: true, value: found };
    }
    case 'list':
      return { ok: true, value: Object.freeze(raw.split(new RegExp(s.separator ?? '\\s+')).map((x) => x.trim()).filter(Boolean)) };
    case 'regex':
      try {
        return { ok: true, value: javaRegex(raw, s.regex) };
      } catch (err) {
        return { ok: false, expected: (err as Error).message };
      }
    default:
      return { ok: true, value: raw };
  }
}

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function didYouMean(key: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(key, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/**
 * Parses a component's properties (keys relative to the component, e.g. `capacity`) with its schema.
 * Problems are returned, not thrown, so the loader can report every error in the file at once.
 */
export function parseOptions<S extends Schema>(schema: S, props: ReadonlyMap<string, RawValue>): ParsedOptions<S> {
  const out: Record<string, unknown> = {};
  const errors: OptionProblem[] = [];
  const warnings: OptionProblem[] = [];
  const used = new Set<string>();
  const prefixes = Object.entries(schema).flatMap(([key, s]) => (s.kind === 'prefix' ? [[s.under ?? key]] : []));

  for (const [key, s] of Object.entries(schema)) {
    if (s.kind === 'prefix') {
      const sub: Record<string, string> = {};
      const under = s.under ?? key;
      for (const [k, v] of props) {
        if (k.startsWith(`${under}.`)) {
          sub[k.slice(under.length + 1)] = v.value;
          used.add(k);
        }
      }
      out[key] = Object.freeze(sub);
      continue;
    }
    let name = key;
    let raw = props.get(key);
    for (const alias of s.aliases ?? []) {
      if (raw === undefined && props.has(alias)) {
        name = alias;
        raw = props.get(alias);
      }
      if (props.has(alias)) used.add(alias);
    }
    if (props.has(key)) used.add(key);
    if (s.kind === 'unsupported') {
      if (raw !== undefined) {
        warnings.push({ code: 'SLUICE_CONFIG_UNSUPPORTED', key: name, line: raw.line, value: raw.value, expected: `is accepted by Flume but not implemented by Sluice and is ignored: ${s.doc}` });
      }
      continue;
    }
    if (raw === undefined) {
      if (s.required) errors.push({ code: 'SLUICE_CONFIG_MISSING_KEY', key, expected: `is required: ${s.doc}` });
      out[key] = s.default;
      continue;
    }
    const r = convert(s, raw.value);
    if (r.ok) out[key] = r.value;
    else {
      errors.push({ code: 'SLUICE_CONFIG_BAD_VALUE', key: name, line: raw.line, value: raw.value, expected: r.expected ?? `expected ${describe(s)}` });
      out[key] = s.default;
    }
  }

  const known = Object.keys(schema).flatMap((k) => [k, ...(schema[k]!.aliases ?? [])]);
  for (const [k, v] of props) {
    if (used.has(k) || prefixes.some(([p]) => k.startsWith(`${p}.`))) continue;
    errors.push({ code: 'SLUICE_CONFIG_UNKNOWN_KEY', key: k, line: v.line, value: v.value, expected: `unknown key${didYouMean(k, known)}` });
  }
  return { options: Object.freeze(out) as OptionsOf<S>, errors, warnings };
}

/** A Markdown table of a schema, for docs/components.md. */
export function renderSchema(schema: Schema): string {
  const rows = Object.entries(schema).map(([key, s]) => {
    const name = s.kind === 'prefix' ? `${s.under ?? key}.*` : key;
    const type = s.kind === 'enum' ? s.values!.join(' \\| ') : s.kind;
    const def = s.required ? '**required**' : s.default === undefined ? '' : `\`${s.shownDefault ?? (Array.isArray(s.default) ? s.default.join(' ') : String(s.default))}\``;
    const aliases = s.aliases?.length ? ` Also spelled ${s.aliases.map((a) => `\`${a}\``).join(', ')}.` : '';
    return `| \`${name}\` | ${type}${range(s)} | ${def} | ${s.doc.replace(/\|/g, '\\|')}${aliases} |`;
  });
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
