/** The validated, typed shape of one agent's configuration: what src/agent/ instantiates. */
import type { ChannelDescriptor, InterceptorDescriptor, SinkDescriptor, SourceDescriptor } from '../core/component.ts';
import type { ConfigError } from '../errors.ts';

export interface Planned<D> {
  name: string;
  descriptor: D;
  options: Readonly<Record<string, unknown>>;
  /** The properties as written, for change detection on reload and for the topology view. */
  raw: ReadonlyMap<string, string>;
}

export type SelectorPlan =
  | { type: 'replicating'; optional: string[] }
  | {
      type: 'multiplexing';
      header: string;
      mapping: Map<string, { required: string[]; optional: string[] }>;
      default: string[];
    }
  | { type: 'load_balancing'; policy: 'round_robin' | 'random' };

export interface SourcePlan extends Planned<SourceDescriptor> {
  channels: string[];
  selector: SelectorPlan;
  interceptors: Planned<InterceptorDescriptor>[];
}

export interface SinkPlan extends Planned<SinkDescriptor> {
  channel: string;
}

export interface GroupPlan {
  name: string;
  sinks: string[];
  processor: 'default' | 'failover' | 'load_balance';
  options: Readonly<Record<string, unknown>>;
  /** True for the implicit one-sink group of an ungrouped sink. */
  implicit: boolean;
}

export interface AgentPlan {
  agent: string;
  file: string;
  sources: SourcePlan[];
  channels: Planned<ChannelDescriptor>[];
  sinks: SinkPlan[];
  groups: GroupPlan[];
  warnings: ConfigError[];
}
