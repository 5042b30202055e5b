/**
 * What turns a spooled file into events (Flume's EventDeserializer), and where reading resumes.
 *
 * A position is a unit start (a line, an Avro block, a blob) plus how many events of that unit were
 * already delivered, so a resume after a crash is exact even in the middle of a line that was split
 * for `maxLineLength` or in the middle of an Avro block. (Flume stores a character position for
 * lines and re-reads a whole Avro block.)
 */
import type { Event, Headers } from '../../core/event.ts';
import { SluiceError } from '../../errors.ts';
import type { ChunkedFile } from './chunks.ts';

export interface Position {
  /** Byte offset of the unit (line, block, blob) that reading resumes in. */
  readonly offset: number;
  /** Events of that unit already delivered. */
  readonly records: number;
}

export const START: Position = Object.freeze({ offset: 0, records: 0 });

export interface Deserializer {
  /** Up to `max` events; an empty array once the file is exhausted. */
  read(max: number): Promise<Event[]>;
  /** Where reading resumes after the events returned so far. */
  readonly position: Position;
}

export interface ReaderContext {
  readonly file: ChunkedFile;
  readonly at: Position;
  /** A fresh headers object per event: interceptors may change headers in place. */
  readonly headers: () => Headers;
  /** A unit was longer than the limit and was split (the first time per unit). */
  readonly onSplit: (offset: number) => void;
}

export type DeserializerFactory = (ctx: ReaderContext) => Promise<Deserializer>;

/** A decode or format error, naming the file and where in it. */
export function badInput(file: ChunkedFile, offset: number, what: string): SluiceError {
  return new SluiceError('SLUICE_SOURCE_DECODE', `File "${file.path}" at byte ${offset}: ${what}.`, { file: file.path, offset });
}
