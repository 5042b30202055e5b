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
import { sleep } from '../../core/lifecycle.ts';
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

/**
 * Renames (after cutting back) every orphaned in-use file; resolves with how many it handled. What fails
 * is tried again every `retryMs` (0: never, as hdfs.retryInterval = 0 means in Flume) until it succeeds
 * or the signal aborts: after an outage, HDFS refuses to touch a file whose dead writer still holds its
 * lease until the lease's soft limit (a minute) has passed, and a restarted NameNode may list nothing yet.
 */
export async function recoverOrphans(
  fs: WebHdfs,
  t: RecoveryTarget,
  isLive: (path: string) => boolean,
  logger: Logger,
  signal: AbortSignal,
  retryMs: number,
): Promise<number> {
  if (t.inUsePrefix === '' && t.inUseSuffix === '') return 0;
  const again = retryMs > 0 ? `retrying every ${retryMs / 1000} s` : 'it is tried again at the next start';
  let orphans: Map<string, string> | undefined;
  let handled = 0;
  for (let attempt = 1; !signal.aborted; attempt++) {
    const log = attempt === 1 ? logger.warn.bind(logger) : logger.debug.bind(logger);
    try {
      orphans ??= await findOrphans(fs, t, signal);
      for (const [tmp, final] of orphans) {
        if (signal.aborted) return handled;
        if (isLive(tmp)) {
          orphans.delete(tmp);
          continue;
        }
        try {
          const xattr = await fs.getXAttr(tmp, LENGTH_XATTR);
          const recorded = xattr === undefined ? undefined : Number(xattr);
          const r = await finishFile(fs, tmp, final, recorded, true);
          // A refused rename (the final name taken) does not change by waiting: it is left to the operator.
          orphans.delete(tmp);
          handled++;
          if (r.done) logger.info({ path: tmp, recorded }, `Recovered in-use file "${tmp}" left by an earlier run: ${r.note}.`);
          else logger.warn({ path: tmp, recorded }, `In-use file "${tmp}" left by an earlier run is left as it is: ${r.note}.`);
        } catch (err) {
          log({ err, path: tmp, attempt }, `Could not recover in-use file "${tmp}" yet; ${again}.`);
        }
      }
      if (orphans.size === 0) return handled;
    } catch (err) {
      log({ err, attempt }, `Could not look for in-use files left under "${t.dir.template}" by an earlier run; ${again}.`);
    }
    if (retryMs <= 0) break;
    await sleep(retryMs, signal);
  }
  return handled;
}

/** The in-use files under the directories the template can render to, each with its final path. */
async function findOrphans(fs: WebHdfs, t: RecoveryTarget, signal: AbortSignal): Promise<Map<string, string>> {
  const name = new RegExp(`^${quote(t.inUsePrefix)}(${t.prefix.pattern()}\\.\\d+${quote(t.fileSuffix)})${quote(t.inUseSuffix)}$`);
  // Each directory segment is either literal or a pattern for the names it can render to.
  const segments = t.dir.template.split('/').filter(Boolean);
  let dirs = ['/'];
  for (const seg of segments) {
    if (signal.aborted) return new Map();
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
  const found = new Map<string, string>();
  for (const d of dirs) {
    for (const st of await listOrNothing(fs, d)) {
      const m = st.type === 'FILE' ? name.exec(st.pathSuffix) : null;
      if (m) found.set(`${d}${st.pathSuffix}`, `${d}${m[1]}`);
    }
  }
  return found;
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
