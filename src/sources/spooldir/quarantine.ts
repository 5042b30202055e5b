/**
 * Files the source gave up on, so that each problem is reported once and the file is not read again
 * while nothing changed: not the file (size, mtime, inode), not its stored position (an operator may
 * remove it to have the file read from the start), and, for a reused name, not the file that holds
 * the name. Unreadable files are different: they are retried at every scan, reported once.
 */
import type { Logger } from '../../core/logger.ts';
import type { SourceCounter } from '../../core/metrics.ts';
import { isSluiceError } from '../../errors.ts';
import { exists } from './retire.ts';
import type { FileIdentity, PositionStore } from './tracker.ts';

function key(id: FileIdentity, stored: string): string {
  return `${id.size}:${id.mtimeMs}:${id.ino}|${stored}`;
}

export class Quarantine {
  private readonly skipped = new Map<string, { key: string; holder?: string }>();
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly store: PositionStore,
    private readonly logger: Logger,
    private readonly counter: SourceCounter,
  ) {}

  /** True while a file given up on is as it was; `stored` is its stored position text. */
  async holds(rel: string, id: FileIdentity, stored: string): Promise<boolean> {
    const s = this.skipped.get(rel);
    return s?.key === key(id, stored) && (s.holder === undefined || (await exists(s.holder)));
  }

  /** Gives up on a file while it stays as it is; says why unless it already did (or `log` is false). */
  async add(rel: string, id: FileIdentity, err: unknown, log = true): Promise<void> {
    const k = key(id, await this.store.raw(rel));
    const holder = isSluiceError(err, 'SLUICE_SOURCE_NAME_REUSED') ? (err.details['existing'] as string) : undefined;
    const was = this.skipped.get(rel);
    this.skipped.set(rel, { key: k, holder });
    if (log && (was?.key !== k || was.holder !== holder)) this.logger.error({ err }, (err as Error).message);
  }

  cannotOpen(rel: string, path: string, err: unknown): void {
    this.counter.genericProcessingFail++;
    if (this.unreadable.has(rel)) return;
    this.unreadable.add(rel);
    this.logger.error({ err }, `Cannot open "${path}" (${(err as Error).message}); it is skipped and tried again at every scan. Nothing is renamed or deleted.`);
  }

  opened(rel: string, path: string): void {
    if (this.unreadable.delete(rel)) this.logger.info(`File "${path}" can be read now.`);
  }
}
