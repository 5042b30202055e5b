/**
 * What a hot reload has to do: compares the running plan with a new one, component by component, using
 * the properties as written (`raw`), the types and the wiring.
 *
 * Flume restarts every component on a reload; Sluice restarts only those whose configuration changed,
 * plus those wired to a channel that is rebuilt. A memory channel that keeps its name and type is
 * reconfigured in place, as Flume does, so its events survive.
 */
import { memoryChannel } from '../channels/memory.ts';
import type { AgentPlan, GroupPlan, Planned, SinkPlan, SourcePlan } from '../config/plan.ts';
import type { ChannelDescriptor } from '../core/component.ts';

export type Change = 'unchanged' | 'changed' | 'added' | 'removed';
/** `resized`: same name and memory type with new settings; the running channel takes them in place. */
export type ChannelChange = Change | 'resized';

export interface PlanDiff {
  channels: Map<string, ChannelChange>;
  sources: Map<string, Change>;
  /** Keyed by groupKey(). */
  groups: Map<string, Change>;
}

/** Sink groups and the implicit one-sink groups have separate namespaces in Flume. */
export function groupKey(g: GroupPlan): string {
  return g.implicit ? `sink ${g.name}` : `sinkgroup ${g.name}`;
}

/**
 * `failed` names components (as `source x`, `channel x` or a group key) that did not start on the last
 * reload: they count as changed, so the next reload tries them again.
 */
export function diffPlans(old: AgentPlan, next: AgentPlan, failed: ReadonlySet<string> = new Set()): PlanDiff {
  const channels = new Map<string, ChannelChange>();
  const oldChannels = byName(old.channels);
  for (const p of next.channels) {
    const before = oldChannels.get(p.name);
    if (!before) channels.set(p.name, 'added');
    else if (failed.has(`channel ${p.name}`) || before.descriptor !== p.descriptor) channels.set(p.name, 'changed');
    else if (sameRaw(before.raw, p.raw)) channels.set(p.name, 'unchanged');
    else channels.set(p.name, p.descriptor === memoryChannel ? 'resized' : 'changed');
  }
  for (const name of oldChannels.keys()) if (!channels.has(name)) channels.set(name, 'removed');

  // A source or sink must be rebuilt when its channel object is; a new transactionCapacity also changes
  // the largest batch a source may put.
  const rebuilt = (name: string) => channels.get(name) === 'changed' || channels.get(name) === 'added';
  const txChanged = (name: string) => channels.get(name) === 'resized' && txCapacity(oldChannels.get(name)!) !== txCapacity(next.channels.find((c) => c.name === name)!);

  const sources = new Map<string, Change>();
  const oldSources = byName(old.sources);
  for (const p of next.sources) {
    const before = oldSources.get(p.name);
    if (!before) sources.set(p.name, 'added');
    else if (failed.has(`source ${p.name}`) || !sameSource(before, p) || p.channels.some((c) => rebuilt(c) || txChanged(c))) sources.set(p.name, 'changed');
    else sources.set(p.name, 'unchanged');
  }
  for (const name of oldSources.keys()) if (!sources.has(name)) sources.set(name, 'removed');

  const groups = new Map<string, Change>();
  const oldGroups = new Map(old.groups.map((g) => [groupKey(g), g]));
  const oldSinks = byName(old.sinks);
  const newSinks = byName(next.sinks);
  const sameSink = (a: SinkPlan | undefined, b: SinkPlan) => a !== undefined && sameComponent(a, b) && a.channel === b.channel && !rebuilt(b.channel);
  for (const g of next.groups) {
    const key = groupKey(g);
    const before = oldGroups.get(key);
    if (!before) groups.set(key, 'added');
    else if (failed.has(key) || !sameGroup(before, g) || g.sinks.some((s) => !sameSink(oldSinks.get(s), newSinks.get(s)!))) groups.set(key, 'changed');
    else groups.set(key, 'unchanged');
  }
  for (const key of oldGroups.keys()) if (!groups.has(key)) groups.set(key, 'removed');
  return { channels, sources, groups };
}

/** True when the reload has nothing to do. */
export function isEmpty(d: PlanDiff): boolean {
  return [d.channels, d.sources, d.groups].every((m) => [...m.values()].every((c) => c === 'unchanged'));
}

/** A one-line account for the log: `sources changed: r1; channels resized: c1`. */
export function summarize(d: PlanDiff): string {
  const parts: string[] = [];
  for (const [kind, m] of [['sources', d.sources], ['channels', d.channels], ['sink groups', d.groups]] as const) {
    const by = new Map<string, string[]>();
    for (const [name, c] of m) if (c !== 'unchanged') by.set(c, [...(by.get(c) ?? []), name]);
    for (const [c, names] of by) parts.push(`${kind} ${c}: ${names.join(', ')}`);
  }
  return parts.join('; ') || 'nothing changed';
}

function byName<T extends { name: string }>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((x) => [x.name, x]));
}

function sameRaw(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function sameComponent(a: Planned<unknown>, b: Planned<unknown>): boolean {
  return a.descriptor === b.descriptor && sameRaw(a.raw, b.raw);
}

function sameSource(a: SourcePlan, b: SourcePlan): boolean {
  return (
    sameComponent(a, b) &&
    sameList(a.channels, b.channels) &&
    canonical(a.selector) === canonical(b.selector) &&
    a.interceptors.length === b.interceptors.length &&
    a.interceptors.every((i, n) => i.name === b.interceptors[n]!.name && sameComponent(i, b.interceptors[n]!))
  );
}

function sameGroup(a: GroupPlan, b: GroupPlan): boolean {
  return a.processor === b.processor && sameList(a.sinks, b.sinks) && canonical(a.options) === canonical(b.options);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Selector plans and processor options hold Maps and plain values; compared as canonical JSON. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Map ? [...x] : x));
}

function txCapacity(p: Planned<ChannelDescriptor>): unknown {
  const key = p.descriptor.transactionCapacityKey;
  return key ? p.options[key] : undefined;
}
