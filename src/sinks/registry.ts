import { Registry } from '../core/registry.ts';
import type { SinkDescriptor } from '../core/component.ts';
import { hdfsSink } from './hdfs/index.ts';
import { kafkaSink } from './kafka/index.ts';
import { avroSink } from './avro.ts';
import { fileRollSink } from './file-roll.ts';
import { loggerSink } from './logger.ts';
import { nullSink } from './null.ts';

/** Every sink type, one line each. */
export const sinks = new Registry<SinkDescriptor>('sink', [
  avroSink,
  hdfsSink,
  kafkaSink,
  fileRollSink,
  loggerSink,
  nullSink,
]);
