/**
 * Flume's configuration semantics (flume-config.md §1–§6): the key grammar, wiring of sources,
 * channels, sinks and sink groups, selectors and interceptors, and the batch-size checks.
 *
 * Unlike Flume, which drops a bad component with a log line and runs the rest, Sluice collects every
 * problem in the file and refuses to start: an agent never runs half-wired.
 */
import { channels as channelRegistry } from '../channels/registry.ts';
import type { Descriptor } from '../core/component.ts';
import type { Registry } from '../core/registry.ts';
import { failoverOptions, loadBalanceOptions } from '../core/sink-processors.ts';
import { ConfigError, ConfigErrors } from '../errors.ts';
import { interceptors as interceptorRegistry } from '../interceptors/registry.ts';
import { sinks as sinkRegistry } from '../sinks/registry.ts';
import { sources as sourceRegistry } from '../sources/registry.ts';
import type { PropEntry } from './properties.ts';
import { didYouMean, type OptionProblem, parseOptions, type RawValue, type Schema } from './schema.ts';
import type { AgentPlan, GroupPlan, Planned, SelectorPlan, SinkPlan, SourcePlan } from './plan.ts';

type Kind = 'sources' | 'channels' | 'sinks' | 'sinkgroups' | 'configfilters';
const KINDS: readonly Kind[] = ['sources', 'channels', 'sinks', 'sinkgroups', 'configfilters'];

interface Component {
  name: string;
  props: Map<string, PropEntry>;
}

class Collector {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigError[] = [];
  constructor(readonly file: string) {}

  error(code: ConfigError['code'], expected: string, e?: { key?: string; line?: number; value?: string }): void {
    this.errors.push(new ConfigError(code, expected, { file: this.file, ...e }));
  }
}

/** Names of the agents a file configures (the text before the first dot of each key). */
export function agentNames(entries: ReadonlyMap<string, PropEntry>): string[] {
  const names = new Set<string>();
  for (const k of entries.keys()) {
    const dot = k.indexOf('.');
    if (dot > 0) names.add(k.slice(0, dot));
  }
  return [...names].sort();
}

export function buildPlan(entries: ReadonlyMap<string, PropEntry>, agent: string, file: string, extraWarnings: ConfigError[] = []): AgentPlan {
  const c = new Collector(file);
  const agents = agentNames(entries);
  if (!agents.includes(agent)) {
    throw new ConfigErrors([new ConfigError('SLUICE_CONFIG_NO_AGENT', `has no agent named "${agent}"; agents in this file: ${agents.join(', ') || '(none)'}`, { file })]);
  }

  const lists = new Map<Kind, PropEntry>();
  const comps = new Map<Kind, Map<string, Component>>(KINDS.map((k) => [k, new Map()]));
  const prefix = `${agent}.`;
  for (const e of entries.values()) {
    if (!e.key.startsWith(prefix)) continue;
    const rest = e.key.slice(prefix.length);
    if ((KINDS as readonly string[]).includes(rest)) {
      lists.set(rest as Kind, e);
      continue;
    }
    const m = /^(sources|channels|sinks|sinkgroups|configfilters)\.([^.]+)\.(.+)$/.exec(rest);
    if (!m) {
      const hint = didYouMean(rest.split('.')[0]!, KINDS);
      c.error('SLUICE_CONFIG_UNKNOWN_KEY', `is not a Flume agent key: expected ${agent}.<sources|channels|sinks|sinkgroups>[.<name>.<property>]${hint}`, { key: e.key, line: e.line });
      continue;
    }
    const byName = comps.get(m[1] as Kind)!;
    const comp = byName.get(m[2]!) ?? { name: m[2]!, props: new Map<string, PropEntry>() };
    byName.set(m[2]!, comp);
    comp.props.set(m[3]!, e);
  }

  const listed = (kind: Kind): Component[] => {
    const entry = lists.get(kind);
    const names = entry ? entry.value.split(/\s+/).filter(Boolean) : [];
    const byName = comps.get(kind)!;
    for (const [name, comp] of byName) {
      if (!names.includes(name)) {
        const first = comp.props.values().next().value!;
        c.warnings.push(new ConfigError('SLUICE_CONFIG_UNKNOWN_COMPONENT', `configures "${name}", which ${prefix}${kind} does not list; ignored as Flume does`, { file, line: first.line, key: first.key }));
      }
    }
    return names.map((name) => {
      const comp = byName.get(name);
      if (!comp) {
        c.error('SLUICE_CONFIG_MISSING_KEY', `lists "${name}", which has no properties (expected at least ${prefix}${kind}.${name}.type)`, { key: entry!.key, line: entry!.line, value: entry!.value });
      }
      return comp ?? { name, props: new Map() };
    });
  };

  if (!lists.get('channels')) {
    c.error('SLUICE_CONFIG_MISSING_KEY', `is required: the agent must list at least one channel`, { key: `${prefix}channels` });
  }

  const channelPlans = listed('channels').flatMap((comp) => {
    const p = instantiate(c, channelRegistry, comp, `${prefix}channels.${comp.name}.`);
    return p ? [p] : [];
  });
  const channelNames = new Set(listed('channels').map((x) => x.name));
  for (const ch of channelPlans) {
    const d = ch.descriptor;
    if (d.capacityKey && d.transactionCapacityKey) {
      const cap = ch.options[d.capacityKey] as number;
      const tx = ch.options[d.transactionCapacityKey] as number;
      if (tx > cap) {
        const e = ch.raw.has(d.transactionCapacityKey) ? comps.get('channels')!.get(ch.name)!.props.get(d.transactionCapacityKey) : undefined;
        c.error('SLUICE_CONFIG_CAPACITY', `expected transactionCapacity (${tx}) ≤ capacity (${cap})`, { key: `${prefix}channels.${ch.name}.${d.transactionCapacityKey}`, line: e?.line });
      }
    }
  }
  const txCapacity = (name: string): number | undefined => {
    const ch = channelPlans.find((p) => p.name === name);
    const key = ch?.descriptor.transactionCapacityKey;
    return ch && key ? (ch.options[key] as number) : undefined;
  };
  const checkBatch = (p: Planned<Descriptor<Schema, unknown, unknown>>, base: string, channels: string[]): void => {
    const key = p.descriptor.batchSizeKey;
    if (!key) return;
    const batch = p.options[key] as number;
    for (const ch of channels) {
      const cap = txCapacity(ch);
      if (cap !== undefined && batch > cap) {
        c.error('SLUICE_CONFIG_CAPACITY', `expected ${key} (${batch}) ≤ transactionCapacity (${cap}) of channel "${ch}"`, { key: `${base}${key}`, line: lineOf(entries, `${base}${key}`) });
      }
    }
  };

  const sourcePlans: SourcePlan[] = [];
  for (const comp of listed('sources')) {
    const base = `${prefix}sources.${comp.name}.`;
    const chans = take(comp.props, 'channels');
    const selectorProps = takePrefix(comp.props, 'selector.');
    const interceptorProps = takePrefix(comp.props, 'interceptors.');
    const interceptorList = take(comp.props, 'interceptors');
    const p = instantiate(c, sourceRegistry, comp, base);
    if (!chans) {
      c.error('SLUICE_CONFIG_WIRING', 'is required: the channels this source writes to', { key: `${base}channels` });
      continue;
    }
    const names = chans.value.split(/\s+/).filter(Boolean);
    for (const n of names) {
      if (!channelNames.has(n)) c.error('SLUICE_CONFIG_WIRING', `names channel "${n}", which ${prefix}channels does not list${didYouMean(n, channelNames)}`, { key: chans.key, line: chans.line, value: chans.value });
    }
    const selector = planSelector(c, selectorProps, names, `${base}selector.`);
    const icepts = planInterceptors(c, interceptorList, interceptorProps, `${base}interceptors.`);
    if (!p || !selector) continue;
    checkBatch(p, base, names);
    sourcePlans.push({ ...p, channels: names, selector, interceptors: icepts });
  }

  const sinkPlans: SinkPlan[] = [];
  for (const comp of listed('sinks')) {
    const base = `${prefix}sinks.${comp.name}.`;
    const ch = take(comp.props, 'channel');
    const plural = take(comp.props, 'channels');
    const p = instantiate(c, sinkRegistry, comp, base);
    if (!ch) {
      const hint = plural ? ` (it has "channels"; a sink reads exactly one channel, spelled "channel")` : '';
      c.error('SLUICE_CONFIG_WIRING', `is required: the one channel this sink reads${hint}`, { key: `${base}channel`, line: plural?.line });
      continue;
    }
    if (!channelNames.has(ch.value)) {
      c.error('SLUICE_CONFIG_WIRING', `names channel "${ch.value}", which ${prefix}channels does not list${didYouMean(ch.value, channelNames)}`, { key: ch.key, line: ch.line, value: ch.value });
      continue;
    }
    if (!p) continue;
    checkBatch(p, base, [ch.value]);
    sinkPlans.push({ ...p, channel: ch.value });
  }

  const groups = planGroups(c, listed('sinkgroups'), sinkPlans, `${prefix}sinkgroups.`, new Set(listed('sinks').map((s) => s.name)));

  for (const ch of channelPlans) {
    const used = sourcePlans.some((s) => s.channels.includes(ch.name)) || sinkPlans.some((s) => s.channel === ch.name);
    if (!used) {
      const e = comps.get('channels')!.get(ch.name)!.props.get('type');
      c.error('SLUICE_CONFIG_WIRING', `channel "${ch.name}" is not connected to any source or sink`, { key: `${prefix}channels.${ch.name}`, line: e?.line });
    }
  }
  if (sourcePlans.length === 0 && sinkPlans.length === 0 && c.errors.length === 0) {
    c.error('SLUICE_CONFIG_WIRING', 'configures no source and no sink: there is nothing to run', { key: `${prefix}sources` });
  }

  if (c.errors.length > 0) throw new ConfigErrors(c.errors);
  return { agent, file, sources: sourcePlans, channels: channelPlans, sinks: sinkPlans, groups, warnings: [...extraWarnings, ...c.warnings] };
}

function lineOf(entries: ReadonlyMap<string, PropEntry>, key: string): number | undefined {
  return entries.get(key)?.line;
}

function take(props: Map<string, PropEntry>, key: string): PropEntry | undefined {
  const e = props.get(key);
  props.delete(key);
  return e;
}

function takePrefix(props: Map<string, PropEntry>, prefix: string): Map<string, PropEntry> {
  const out = new Map<string, PropEntry>();
  for (const [k, e] of props) {
    if (k.startsWith(prefix)) {
      out.set(k.slice(prefix.length), e);
      props.delete(k);
    }
  }
  return out;
}

function toRaw(props: ReadonlyMap<string, PropEntry>): Map<string, RawValue> {
  return new Map([...props].map(([k, e]) => [k, { value: e.value, line: e.line }]));
}

/** Resolves `type` and parses the remaining properties with the component's option table. */
function instantiate<D extends Descriptor<Schema, never, unknown>>(c: Collector, registry: Registry<D>, comp: { name: string; props: Map<string, PropEntry> }, base: string): Planned<D> | undefined {
  const props = new Map(comp.props);
  const type = take(props, 'type');
  if (!type) {
    const first = comp.props.values().next().value;
    c.error('SLUICE_CONFIG_MISSING_KEY', `is required: the ${registry.kind} type (one of ${registry.known().join(', ')})`, { key: `${base}type`, line: first?.line });
    return undefined;
  }
  const descriptor = registry.lookup(type.value);
  if (!descriptor) {
    c.error('SLUICE_CONFIG_UNKNOWN_TYPE', `expected a ${registry.kind} type, one of ${registry.known().join(', ')}${didYouMean(type.value, registry.known())}`, { key: type.key, line: type.line, value: type.value });
    return undefined;
  }
  const parsed = parseOptions(descriptor.options, toRaw(props));
  const checked = parsed.errors.length === 0 ? descriptor.check?.(parsed.options) : undefined;
  const line = (p: OptionProblem) => p.line ?? props.get(p.key)?.line;
  for (const p of [...parsed.errors, ...(checked?.errors ?? [])]) c.error(p.code, p.expected, { key: `${base}${p.key}`, line: line(p), value: p.value });
  for (const w of [...parsed.warnings, ...(checked?.warnings ?? [])]) c.warnings.push(new ConfigError(w.code, w.expected, { file: c.file, key: `${base}${w.key}`, line: line(w) }));
  const raw = new Map([...comp.props].map(([k, e]) => [k, e.value]));
  return { name: comp.name, descriptor, options: parsed.options as Record<string, unknown>, raw };
}

function planSelector(c: Collector, props: Map<string, PropEntry>, channels: string[], base: string): SelectorPlan | undefined {
  const type = (take(props, 'type')?.value ?? 'replicating').toLowerCase();
  const check = (e: PropEntry, list: string[]): string[] => {
    for (const n of list) {
      if (!channels.includes(n)) c.error('SLUICE_CONFIG_WIRING', `names channel "${n}", which is not one of this source's channels (${channels.join(' ')})`, { key: e.key, line: e.line, value: e.value });
    }
    return list;
  };
  const split = (e: PropEntry) => check(e, e.value.split(/\s+/).filter(Boolean));
  const leftover = () => {
    for (const [k, e] of props) c.error('SLUICE_CONFIG_UNKNOWN_KEY', `unknown key for a ${type} selector${didYouMean(k, ['optional', 'header', 'default', 'mapping.<value>', 'policy'])}`, { key: e.key, line: e.line, value: e.value });
  };
  if (type === 'replicating' || type === 'org.apache.flume.channel.replicatingchannelselector') {
    const opt = take(props, 'optional');
    leftover();
    return { type: 'replicating', optional: opt ? split(opt) : [] };
  }
  if (type === 'multiplexing' || type === 'org.apache.flume.channel.multiplexingchannelselector') {
    const header = take(props, 'header')?.value ?? 'flume.selector.header';
    const def = take(props, 'default');
    const mapping = new Map<string, { required: string[]; optional: string[] }>();
    for (const [k, e] of [...props]) {
      const m = /^(mapping|optional)\.(.+)$/.exec(k);
      if (!m) continue;
      props.delete(k);
      const entry = mapping.get(m[2]!) ?? { required: [], optional: [] };
      if (m[1] === 'mapping') entry.required = split(e);
      else entry.optional = split(e);
      mapping.set(m[2]!, entry);
    }
    const defaults = def ? split(def) : [];
    // Flume: a channel required for a value (or by default, for unmapped values) is not also optional.
    for (const entry of mapping.values()) {
      const required = entry.required.length > 0 ? entry.required : defaults;
      entry.optional = entry.optional.filter((ch) => !required.includes(ch));
      if (entry.required.length === 0) entry.required = defaults;
    }
    leftover();
    return { type: 'multiplexing', header, mapping, default: defaults };
  }
  if (type === 'load_balancing') {
    const policy = (take(props, 'policy')?.value ?? 'round_robin').toLowerCase();
    leftover();
    if (policy !== 'round_robin' && policy !== 'random') {
      c.error('SLUICE_CONFIG_BAD_VALUE', 'expected round_robin or random', { key: `${base}policy`, value: policy });
      return undefined;
    }
    return { type: 'load_balancing', policy };
  }
  c.error('SLUICE_CONFIG_UNKNOWN_TYPE', `expected a selector type, one of replicating, multiplexing, load_balancing`, { key: `${base}type`, value: type });
  return undefined;
}

function planInterceptors(c: Collector, list: PropEntry | undefined, props: Map<string, PropEntry>, base: string): Planned<import('../core/component.ts').InterceptorDescriptor>[] {
  const names = list ? list.value.split(/\s+/).filter(Boolean) : [];
  const byName = new Map<string, Map<string, PropEntry>>();
  for (const [k, e] of props) {
    const dot = k.indexOf('.');
    const name = dot < 0 ? k : k.slice(0, dot);
    if (!names.includes(name)) {
      c.warnings.push(new ConfigError('SLUICE_CONFIG_UNKNOWN_COMPONENT', `configures interceptor "${name}", which the source's interceptors list does not name; ignored`, { file: c.file, key: e.key, line: e.line }));
      continue;
    }
    if (dot < 0) continue;
    const m = byName.get(name) ?? new Map();
    m.set(k.slice(dot + 1), e);
    byName.set(name, m);
  }
  const out = [];
  for (const name of names) {
    const p = instantiate(c, interceptorRegistry, { name, props: byName.get(name) ?? new Map() }, `${base}${name}.`);
    if (p) out.push(p);
  }
  return out;
}

const processorSchemas: Record<GroupPlan['processor'], Schema> = {
  default: {},
  failover: failoverOptions,
  load_balance: loadBalanceOptions,
};

function planGroups(c: Collector, comps: Component[], sinks: SinkPlan[], base: string, listedSinks: Set<string>): GroupPlan[] {
  const grouped = new Map<string, string>();
  const groups: GroupPlan[] = [];
  for (const comp of comps) {
    const gbase = `${base}${comp.name}.`;
    const props = new Map(comp.props);
    const list = take(props, 'sinks');
    const type = take(props, 'processor.type');
    const processorProps = takePrefix(props, 'processor.');
    for (const [, e] of props) c.error('SLUICE_CONFIG_UNKNOWN_KEY', 'unknown key for a sink group (expected sinks or processor.*)', { key: e.key, line: e.line, value: e.value });
    if (!list) {
      c.error('SLUICE_CONFIG_MISSING_KEY', 'is required: the sinks of this group', { key: `${gbase}sinks` });
      continue;
    }
    const names = list.value.split(/\s+/).filter(Boolean);
    for (const n of names) {
      if (!listedSinks.has(n)) c.error('SLUICE_CONFIG_WIRING', `names sink "${n}", which the agent's sinks list does not name${didYouMean(n, listedSinks)}`, { key: list.key, line: list.line, value: list.value });
      const other = grouped.get(n);
      if (other) c.error('SLUICE_CONFIG_WIRING', `puts sink "${n}" in a second group; it already belongs to "${other}"`, { key: list.key, line: list.line, value: list.value });
      grouped.set(n, comp.name);
    }
    if (!type) {
      c.error('SLUICE_CONFIG_MISSING_KEY', 'is required: one of default, failover, load_balance (without it Flume drops the group and its sinks)', { key: `${gbase}processor.type` });
      continue;
    }
    const kind = normaliseProcessor(type.value);
    if (!kind) {
      c.error('SLUICE_CONFIG_UNKNOWN_TYPE', 'expected one of default, failover, load_balance', { key: type.key, line: type.line, value: type.value });
      continue;
    }
    if (kind === 'default' && names.length !== 1) c.error('SLUICE_CONFIG_WIRING', `expected exactly one sink for a default processor, got ${names.length}`, { key: list.key, line: list.line, value: list.value });
    if (kind === 'load_balance' && names.length < 2) c.error('SLUICE_CONFIG_WIRING', 'expected at least two sinks for a load_balance processor', { key: list.key, line: list.line, value: list.value });
    const parsed = parseOptions(processorSchemas[kind], toRaw(processorProps));
    for (const p of parsed.errors) c.error(p.code, p.expected, { key: `${gbase}processor.${p.key}`, line: p.line, value: p.value });
    groups.push({ name: comp.name, sinks: names, processor: kind, options: parsed.options, implicit: false });
  }
  for (const s of sinks) {
    if (!grouped.has(s.name)) groups.push({ name: s.name, sinks: [s.name], processor: 'default', options: {}, implicit: true });
  }
  return groups;
}

function normaliseProcessor(t: string): GroupPlan['processor'] | undefined {
  const l = t.toLowerCase();
  if (l === 'default' || t === 'org.apache.flume.sink.DefaultSinkProcessor') return 'default';
  if (l === 'failover' || t === 'org.apache.flume.sink.FailoverSinkProcessor') return 'failover';
  if (l === 'load_balance' || t === 'org.apache.flume.sink.LoadBalancingSinkProcessor') return 'load_balance';
  return undefined;
}
