/** Builds one component from its descriptor and properties, as the config loader would, for unit tests. */
import assert from 'node:assert/strict';
import type { Channel } from '../../src/core/channel.ts';
import { ChannelProcessor } from '../../src/core/channel-processor.ts';
import type { Descriptor, SinkContext, SourceContext } from '../../src/core/component.ts';
import type { Logger } from '../../src/core/logger.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { SinkCounter, SourceCounter } from '../../src/core/metrics.ts';
import { ReplicatingSelector } from '../../src/core/selectors.ts';
import { parseOptions, type OptionProblem, type Schema } from '../../src/config/schema.ts';

/** Parses `props` with the descriptor's table; fails the test on any error. */
export function options<S extends Schema>(d: Descriptor<S, never, unknown>, props: Record<string, string>) {
  const parsed = parseOptions(d.options, new Map(Object.entries(props).map(([k, v]) => [k, { value: v }])));
  assert.deepEqual(parsed.errors, [], 'the properties should parse without errors');
  return parsed.options;
}

/** The problems the descriptor's table finds in `props`. */
export function problems<S extends Schema>(d: Descriptor<S, never, unknown>, props: Record<string, string>): OptionProblem[] {
  const parsed = parseOptions(d.options, new Map(Object.entries(props).map(([k, v]) => [k, { value: v }])));
  return [...parsed.errors, ...parsed.warnings];
}

export function sinkContext(channel: Channel, logger: Logger = silentLogger): SinkContext {
  return { agent: 'a1', name: 'k1', logger, channel, counter: new SinkCounter('k1') };
}

export function sourceContext(channel: Channel, logger: Logger = silentLogger): SourceContext {
  const processor = new ChannelProcessor(new ReplicatingSelector([channel]), undefined, silentLogger);
  return { agent: 'a1', name: 'r1', logger, processor, counter: new SourceCounter('r1'), maxBatch: channel.transactionCapacity ?? 100 };
}
