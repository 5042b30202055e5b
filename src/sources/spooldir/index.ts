/**
 * `spooldir` source (org.apache.flume.source.SpoolDirectorySource): reads the files dropped into a
 * directory, one event per line (LINE), per Avro record (AVRO) or per file (BLOB), and marks each
 * file done (rename, marker or delete) once all of it is delivered.
 *
 * Stronger than Flume: positions advance only when the sinks have delivered (or a durable channel has
 * committed), so even a memory channel loses nothing on kill -9; a crash replays only what was not
 * delivered. Files are read in 1 MiB chunks and line bodies are slices of them.
 *
 * Deviations from Flume:
 * - Positions are one small JSON file per spooled file in `<trackerDir>/.sluice/`, not
 *   `.flumespool-main.meta`; a meta file Flume left is taken over once and renamed `.imported`.
 * - A partly read file resumes where it stopped whichever file consumeOrder picks first; Flume reads
 *   it again from the start when another file comes first.
 * - consumeOrder random shuffles the listing (Flume takes the listing order); oldest and youngest reuse
 *   a listing for up to pollDelay instead of listing the directory again at every file.
 * - tracker_dir markers hold the identity of the file they mark, so a new file under a completed name
 *   is reported instead of skipped; Flume's empty markers are honoured as they are.
 * - A crash after the last event of a file was delivered does not add Flume's empty event on restart.
 * - Charsets: UTF-8, US-ASCII, ISO-8859-1, UTF-16LE and UTF-16BE. Custom deserializer classes are
 *   refused.
 * - On stop, files in flight get up to 3 s to be delivered before their positions are saved.
 *
 * Roles: options.ts (keys and their resolution), source.ts (the read loop and retries), in-flight.ts
 * (acknowledgements, the read-ahead bound, retiring files), discovery.ts (which file next, when to
 * scan), spooled-file.ts (one file in flight), tracker.ts (positions), retire.ts (what happens to a
 * finished file), quarantine.ts (files given up on), flume-meta.ts (taking over Flume's position),
 * chunks.ts, line-reader.ts, avro-reader.ts, blob-reader.ts and charset.ts (reading).
 */
import { defineSource } from '../../core/component.ts';
import { resolveOptions, spoolDirOptions } from './options.ts';
import { SpoolDirSource } from './source.ts';

export const spoolDirSource = defineSource({
  type: 'spooldir',
  flumeClass: 'org.apache.flume.source.SpoolDirectorySource',
  description: 'Reads the files dropped into a directory, at least once even across crashes, and marks each done once delivered.',
  options: spoolDirOptions,
  batchSizeKey: 'batchSize',
  replayable: true,
  create: (o, ctx) => new SpoolDirSource(ctx, resolveOptions(o, ctx.maxBatch)),
});
