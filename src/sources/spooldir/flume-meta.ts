/**
 * Takes over from Flume on the same spooling directory: Flume's position file
 * `<trackerDir>/.flumespool-main.meta` (flume-wire.md §5: an Avro container file whose metadata `file`
 * names the file being read and whose records `{offset: long}` are its committed byte positions) is
 * turned into a Sluice position, so the file Flume was reading is resumed instead of read again from
 * the start. The meta file is then renamed `.flumespool-main.meta.imported`, so that a later file
 * under the same name is not mistaken for it.
 *
 * For AVRO, Flume stores the start of the sync marker before the block to read next, so the block
 * starts 16 bytes later; for LINE and BLOB the offset is a byte position in the file.
 */
import { once } from 'node:events';
import { rename, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import avro from 'avsc';
import type { Logger } from '../../core/logger.ts';
import { identityOf, type PositionStore } from './tracker.ts';

const META = '.flumespool-main.meta';
const SYNC_SIZE = 16;

async function readMeta(path: string): Promise<{ file: string; offset: number } | undefined> {
  const decoder = avro.createFileDecoder(path);
  let file: string | undefined;
  let offset: number | undefined;
  decoder.on('metadata', (_type: unknown, _codec: unknown, header: { meta: Record<string, Buffer> }) => {
    file = header.meta['file']?.toString();
  });
  decoder.on('data', (r: { offset: number }) => {
    offset = r.offset;
  });
  await once(decoder, 'end');
  return file !== undefined && offset !== undefined ? { file, offset } : undefined;
}

export async function importFlumeMeta(trackerDir: string, spoolDir: string, avroFiles: boolean, store: PositionStore, logger: Logger): Promise<void> {
  const path = join(trackerDir, META);
  if (!(await stat(path).catch(() => undefined))?.size) return;
  let meta: Awaited<ReturnType<typeof readMeta>>;
  try {
    meta = await readMeta(path);
  } catch (err) {
    logger.warn({ err }, `Flume's position file "${path}" cannot be read; the file it tracked is read from the start.`);
    return;
  }
  const rel = meta && relative(spoolDir, meta.file).split(sep).join('/');
  const st = meta && (await stat(meta.file).catch(() => undefined));
  if (meta && rel && !rel.startsWith('..') && st && !(await store.load(rel))) {
    const offset = avroFiles && meta.offset > 0 ? meta.offset + SYNC_SIZE : meta.offset;
    await store.save({ file: rel, identity: identityOf(st), offset, records: 0 });
    logger.info(`Resuming where Flume stopped: "${meta.file}" continues at byte ${offset} (from "${path}").`);
  }
  await rename(path, `${path}.imported`);
}
