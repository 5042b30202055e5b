/**
 * Component descriptors: data (type name, Flume class, doc, option table) plus a factory that builds
 * the runtime object from parsed options. Registries map type names to descriptors; the config loader
 * validates options with the table before anything is built.
 */
import type { Channel } from './channel.ts';
import type { ChannelProcessor } from './channel-processor.ts';
import type { Interceptor } from './interceptor.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { ChannelCounter, SinkCounter, SourceCounter } from './metrics.ts';
import type { OptionProblem, OptionsOf, Schema } from '../config/schema.ts';

export type SinkStatus = 'READY' | 'BACKOFF';

export interface Sink extends Lifecycle {
  /** Takes one batch from the channel and delivers it; BACKOFF when there was nothing to do. */
  process(): Promise<SinkStatus>;
}

export type Source = Lifecycle;

export interface ComponentContext {
  readonly agent: string;
  readonly name: string;
  readonly logger: Logger;
}

export interface SourceContext extends ComponentContext {
  readonly processor: ChannelProcessor;
  readonly counter: SourceCounter;
  /** Smallest transactionCapacity among the source's channels: a batch larger than that cannot be put. */
  readonly maxBatch: number;
}

export interface SinkContext extends ComponentContext {
  readonly channel: Channel;
  readonly counter: SinkCounter;
}

export interface ChannelContext extends ComponentContext {
  readonly counter: ChannelCounter;
}

export interface Descriptor<S extends Schema, Ctx, R> {
  /** Flume's short type name (matched case-insensitively), e.g. `file_roll`. */
  readonly type: string;
  /** Flume's fully qualified class name(s), matched exactly. */
  readonly flumeClass?: string | readonly string[];
  /** Other short names this type answers to. */
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly options: S;
  /** The option holding the batch size checked against the channel's transactionCapacity (Flume §1.5). */
  readonly batchSizeKey?: keyof S & string;
  create(options: OptionsOf<S>, ctx: Ctx): R;
  /**
   * Checks across keys that the option table cannot express (a list naming sub-keys that must exist, a
   * replacement naming groups of a pattern). Runs at load time once the options parsed without errors;
   * problem keys are relative to the component, as in the table.
   */
  check?(options: OptionsOf<S>): { errors: OptionProblem[]; warnings: OptionProblem[] };
}

export type SourceDescriptor<S extends Schema = Schema> = Descriptor<S, SourceContext, Source> & {
  /** True when the source can replay what was not delivered (file position, offsets, upstream retry). */
  readonly replayable?: boolean;
};
export type SinkDescriptor<S extends Schema = Schema> = Descriptor<S, SinkContext, Sink>;
export type ChannelDescriptor<S extends Schema = Schema> = Descriptor<S, ChannelContext, Channel> & {
  /** The option holding transactionCapacity, for the batch-size check. */
  readonly transactionCapacityKey?: keyof S & string;
  readonly capacityKey?: keyof S & string;
};
/** Interceptors see their source's counter, to count events they fail to process. */
export interface InterceptorContext extends ComponentContext {
  readonly counter?: SourceCounter;
}

export type InterceptorDescriptor<S extends Schema = Schema> = Descriptor<S, InterceptorContext, Interceptor>;

/** The define* helpers type-check a descriptor against its own table, then erase it for the registry. */
export function defineSource<S extends Schema>(d: SourceDescriptor<S>): SourceDescriptor {
  return d as unknown as SourceDescriptor;
}
export function defineSink<S extends Schema>(d: SinkDescriptor<S>): SinkDescriptor {
  return d as unknown as SinkDescriptor;
}
export function defineChannel<S extends Schema>(d: ChannelDescriptor<S>): ChannelDescriptor {
  return d as unknown as ChannelDescriptor;
}
export function defineInterceptor<S extends Schema>(d: InterceptorDescriptor<S>): InterceptorDescriptor {
  return d as unknown as InterceptorDescriptor;
}
