import { Registry } from '../core/registry.ts';
import type { ChannelDescriptor } from '../core/component.ts';
import { fileChannel } from './file/index.ts';
import { kafkaChannel } from './kafka/index.ts';
import { memoryChannel } from './memory.ts';

/** Every channel type, one line each. */
export const channels = new Registry<ChannelDescriptor>('channel', [
  memoryChannel,
  fileChannel,
  kafkaChannel,
]);
