import { Registry } from '../core/registry.ts';
import type { SourceDescriptor } from '../core/component.ts';
import { avroSource } from './avro.ts';
import { execSource } from './exec.ts';
import { kafkaSource } from './kafka/index.ts';
import { netcatSource } from './netcat.ts';
import { seqSource } from './seq.ts';
import { spoolDirSource } from './spooldir/index.ts';
import { stressSource } from './stress.ts';

/** Every source type, one line each. */
export const sources = new Registry<SourceDescriptor>('source', [
  avroSource,
  execSource,
  kafkaSource,
  netcatSource,
  seqSource,
  spoolDirSource,
  stressSource,
]);
