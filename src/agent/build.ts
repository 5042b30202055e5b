/** Turns a validated plan into runtime objects: channels, sink runners, sources with their processors. */
import type { AgentPlan, SelectorPlan, SourcePlan } from '../config/plan.ts';
import type { Channel } from '../core/channel.ts';
import { ChannelProcessor } from '../core/channel-processor.ts';
import type { Source } from '../core/component.ts';
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

export interface Topology {
  channels: Map<string, Channel>;
  runners: SinkRunner[];
  sources: RunningSource[];
}

export function buildTopology(plan: AgentPlan, logger: Logger, metrics: MetricsRegistry, reuse: Map<string, Channel> = new Map()): Topology {
  const log = (kind: string, name: string, type: string) => logger.child({ kind, name, type });
  const channels = new Map<string, Channel>();
  for (const p of plan.channels) {
    const kept = reuse.get(p.name);
    if (kept) {
      channels.set(p.name, kept);
      continue;
    }
    const counter = metrics.add(new ChannelCounter(p.name));
    channels.set(p.name, p.descriptor.create(p.options, { agent: plan.agent, name: p.name, logger: log('channel', p.name, p.descriptor.type), counter }));
  }

  const sinks = new Map<string, NamedSink>();
  for (const p of plan.sinks) {
    const counter = metrics.add(new SinkCounter(p.name));
    const sink = p.descriptor.create(p.options, { agent: plan.agent, name: p.name, logger: log('sink', p.name, p.descriptor.type), counter, channel: channels.get(p.channel)! });
    sinks.set(p.name, { name: p.name, sink });
  }
  const runners = plan.groups.map((g) => {
    const members = g.sinks.map((n) => sinks.get(n)!);
    const glog = log('sinkgroup', g.name, g.processor);
    let processor: SinkProcessor;
    if (g.processor === 'failover') processor = new FailoverSinkProcessor(members, g.options as OptionsOf<typeof failoverOptions>, glog);
    else if (g.processor === 'load_balance') processor = new LoadBalancingSinkProcessor(members, g.options as OptionsOf<typeof loadBalanceOptions>, glog);
    else processor = new DefaultSinkProcessor(members[0]!);
    return new SinkRunner(g.name, processor, glog);
  });

  const sources = plan.sources.map((p) => buildSource(plan.agent, p, channels, log('source', p.name, p.descriptor.type), metrics));
  return { channels, runners, sources };
}

function buildSource(agent: string, p: SourcePlan, channels: Map<string, Channel>, logger: Logger, metrics: MetricsRegistry): RunningSource {
  const list = p.channels.map((n) => channels.get(n)!);
  const interceptor = chain(p.interceptors.map((i) => i.descriptor.create(i.options, { agent, name: i.name, logger: logger.child({ interceptor: i.name }) })));
  const processor = new ChannelProcessor(buildSelector(p.selector, list, channels), interceptor, logger);
  const counter = metrics.add(new SourceCounter(p.name));
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
