/**
 * Start-up recovery of the in-use files an earlier run left behind (a crash, a kill, a close that
 * never succeeded), which Flume leaves as `.tmp` for good. The directories that `hdfs.path` (and
 * `hdfs.fallbackPath`) can render to are walked: a segment with escapes is listed, a literal one is
 * entered directly. Each in-use file whose name this sink would make is cut back to the length its
 * `user.sluice.length` xattr records (deleted when that is 0) and renamed to its final name; a file
 * without the xattr (written by Flume, say) is renamed as it is.
 *
 * Two agents must not write the same path with the same file prefix (as in Flume, whose file names
 * would also collide): this would close the other agent's open files.
 */
import type { Logger } from '../../core/logger.ts';
import { finishFile, LENGTH_XATTR } from './bucket-writer.ts';
import type { PathTemplate } from './path.ts';
import type { WebHdfs } from './webhdfs.ts';

export interface RecoveryTarget {
  dir: PathTemplate;
  prefix: PathTemplate;
  inUsePrefix: string;
  inUseSuffix: string;
  fileSuffix: string;
}

const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Renames (after cutting back) every orphaned in-use file; resolves with how many it handled. */
export async function recoverOrphans(fs: WebHdfs, t: RecoveryTarget, isLive: (path: string) => boolean, logger: Logger, signal: AbortSignal): Promise<number> {
  if (t.inUsePrefix === '' && t.inUseSuffix === '') return 0;
  const name = new RegExp(`^${quote(t.inUsePrefix)}(${t.prefix.pattern()}\\.\\d+${quote(t.fileSuffix)})${quote(t.inUseSuffix)}$`);
  // Each directory segment is either literal or a pattern for the names it can render to.
  const segments = t.dir.template.split('/').filter(Boolean);
  let dirs = ['/'];
  for (const seg of segments) {
    if (signal.aborted) return 0;
    if (!seg.includes('%')) {
      dirs = dirs.map((d) => `${d}${seg}/`);
      continue;
    }
    const re = new RegExp(`^${segmentPattern(seg)}$`);
    const next: string[] = [];
    for (const d of dirs) {
      for (const st of await listOrNothing(fs, d)) if (st.type === 'DIRECTORY' && re.test(st.pathSuffix)) next.push(`${d}${st.pathSuffix}/`);
    }
    dirs = next;
  }
  let handled = 0;
  for (const d of dirs) {
    for (const st of await listOrNothing(fs, d)) {
      if (signal.aborted) return handled;
      const m = st.type === 'FILE' ? name.exec(st.pathSuffix) : null;
      const tmp = `${d}${st.pathSuffix}`;
      if (!m || isLive(tmp)) continue;
      try {
        const xattr = await fs.getXAttr(tmp, LENGTH_XATTR);
        const recorded = xattr === undefined ? undefined : Number(xattr);
        const r = await finishFile(fs, tmp, `${d}${m[1]}`, recorded, true);
        handled++;
        const log = r.done ? logger.info.bind(logger) : logger.warn.bind(logger);
        log({ path: tmp, recorded }, `Recovered in-use file "${tmp}" left by an earlier run: ${r.note}.`);
      } catch (err) {
        logger.warn({ err, path: tmp }, `Could not recover in-use file "${tmp}"; it is tried again at the next start.`);
      }
    }
  }
  return handled;
}

/** The pattern of one directory segment of the template (escapes match anything but `/`). */
function segmentPattern(segment: string): string {
  return segment
    .split(/(%\{[\w.-]+\}|%\[\w+\]|%[\w%])/)
    .map((piece, i) => (i % 2 === 1 ? (piece === '%%' ? '%' : '[^/]*') : quote(piece)))
    .join('');
}

async function listOrNothing(fs: WebHdfs, dir: string) {
  const st = await fs.status(dir);
  return st?.type === 'DIRECTORY' ? fs.list(dir) : [];
}
