/**
 * The public contract for components written outside Sluice (loaded by `type = ./my-module.js`):
 * descriptors, option tables, the event and transaction types, and the toolkits the built-in
 * components are made of. See examples/enrich-interceptor/.
 */
export { AckToken, AckWindow } from './core/ack.ts';
export type { Channel, PutTransaction, TakeTransaction } from './core/channel.ts';
export { withTransaction } from './core/channel.ts';
export type { ChannelProcessor } from './core/channel-processor.ts';
export type {
  ChannelContext,
  ChannelDescriptor,
  ComponentContext,
  InterceptorContext,
  InterceptorDescriptor,
  Sink,
  SinkContext,
  SinkDescriptor,
  SinkStatus,
  Source,
  SourceContext,
  SourceDescriptor,
} from './core/component.ts';
export { defineChannel, defineInterceptor, defineSink, defineSource } from './core/component.ts';
export type { Event, Headers } from './core/event.ts';
export { makeEvent } from './core/event.ts';
export type { Interceptor } from './core/interceptor.ts';
export { opt, type OptionsOf } from './config/schema.ts';
export { BatchingSink, type BatchPolicy } from './sinks/util/batching-sink.ts';
export { PollingSource, type PollStatus } from './sources/util/polling-source.ts';
export { SluiceError, isSluiceError, type ErrorCode } from './errors.ts';
