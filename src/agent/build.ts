/**
 * Turns a validated plan into runtime objects: channels, sink runners, sources with their processors.
 * Each piece is built on its own too, so a hot reload (reload.ts) can rebuild only what changed.
 */
import type { AgentPlan, GroupPlan, Planned, SelectorPlan, SourcePlan } from '../config/plan.ts';
import type { Channel } from '../core/channel.ts';
import { ChannelProcessor } from '../core/channel-processor.ts';
import type { ChannelDescriptor, Source } from '../core/component.ts';
import { chain } from '../core/interceptor.ts';
import type { Logger } from '../core/logger.ts';
import { ChannelCounter, type MetricsRegistry, SinkCounter, SourceCounter } from '../core/metrics.ts';
import {
  DefaultSinkProcessor,
  FailoverSinkProcessor,
  LoadBalancingSinkProcessor,
  type failoverOptions,
  type loadBalanceOptions,
  type NamedSink,
  type SinkProcessor,
} from '../core/sink-processors.ts';
import { SinkRunner } from '../core/sink-runner.ts';
import { type ChannelSelector, LoadBalancingSelector, MultiplexingSelector, ReplicatingSelector } from '../core/selectors.ts';
import type { OptionsOf } from '../config/schema.ts';

export interface RunningSource {
  name: string;
  source: Source;
  processor: ChannelProcessor;
  counter: SourceCounter;
}

/**
 * The running objects; `runners` and `sources` follow the order of the plan's `groups` and `sources`,
 * less any that a reload could not build.
 */
export interface Topology {
  channels: Map<string, Channel>;
  runners: SinkRunner[];
  sources: RunningSource[];
}

export function buildTopology(plan: AgentPlan, logger: Logger, metrics: MetricsRegistry, reuse: Map<string, Channel> = new Map()): Topology {
  const channels = new Map<string, Channel>();
  for (const p of plan.channels) channels.set(p.name, reuse.get(p.name) ?? buildChannel(plan.agent, p, logger, metrics));
  const runners = plan.groups.map((g) => buildRunner(plan, g, channels, logger, metrics));
  const sources = plan.sources.map((p) => buildSource(plan.agent, p, channels, logger, metrics));
  return { channels, runners, sources };
}

function componentLogger(logger: Logger, kind: string, name: string, type: string): Logger {
  return logger.child({ kind, name, type });
}

export function buildChannel(agent: string, p: Planned<ChannelDescriptor>, logger: Logger, metrics: MetricsRegistry): Channel {
  const counter = metrics.add(new ChannelCounter(p.name));
  return p.descriptor.create(p.options, { agent, name: p.name, logger: componentLogger(logger, 'channel', p.name, p.descriptor.type), counter });
}

/** Builds a sink group's sinks and the runner that drives them. */
export function buildRunner(plan: AgentPlan, g: GroupPlan, channels: Map<string, Channel>, logger: Logger, metrics: MetricsRegistry): SinkRunner {
  const members: NamedSink[] = g.sinks.map((name) => {
    const p = plan.sinks.find((s) => s.name === name)!;
    const counter = metrics.add(new SinkCounter(p.name));
    const sink = p.descriptor.create(p.options, { agent: plan.agent, name: p.name, logger: componentLogger(logger, 'sink', p.name, p.descriptor.type), counter, channel: channels.get(p.channel)! });
    return { name: p.name, sink };
  });
  const glog = componentLogger(logger, 'sinkgroup', g.name, g.processor);
  let processor: SinkProcessor;
  if (g.processor === 'failover') processor = new FailoverSinkProcessor(members, g.options as OptionsOf<typeof failoverOptions>, glog);
  else if (g.processor === 'load_balance') processor = new LoadBalancingSinkProcessor(members, g.options as OptionsOf<typeof loadBalanceOptions>, glog);
  else processor = new DefaultSinkProcessor(members[0]!);
  return new SinkRunner(g.name, processor, glog);
}

export function buildSource(agent: string, p: SourcePlan, channels: Map<string, Channel>, parent: Logger, metrics: MetricsRegistry): RunningSource {
  const logger = componentLogger(parent, 'source', p.name, p.descriptor.type);
  const list = p.channels.map((n) => channels.get(n)!);
  const counter = metrics.add(new SourceCounter(p.name));
  const interceptor = chain(p.interceptors.map((i) => i.descriptor.create(i.options, { agent, name: i.name, logger: logger.child({ interceptor: i.name }), counter })));
  const processor = new ChannelProcessor(buildSelector(p.selector, list, channels), interceptor, logger);
  const caps = list.map((c) => c.transactionCapacity).filter((x): x is number => x !== undefined);
  const maxBatch = caps.length > 0 ? Math.min(...caps) : Number.MAX_SAFE_INTEGER;
  const source = p.descriptor.create(p.options, { agent, name: p.name, logger, processor, counter, maxBatch });
  return { name: p.name, source, processor, counter };
}
function buildSelector(s: SelectorPlan, list: Channel[], all: Map<string, Channel>): ChannelSelector {
  const get = (names: string[]) => names.map((n) => all.get(n)!);
  switch (s.type) {
    case 'replicating':
      return new ReplicatingSelector(list, get(s.optional));
    case 'multiplexing':
      return new MultiplexingSelector(
        list,
        s.header,
        new Map([...s.mapping].map(([v, r]) => [v, { required: get(r.required), optional: get(r.optional) }])),
        { required: get(s.default), optional: [] },
      );
    case 'load_balancing':
      return new LoadBalancingSelector(list, s.policy);
  }
}
