/**
 * Finds the files to read (Flume's ReliableSpoolingFileEventReader.getCandidateFiles): regular files
 * of spoolDir (and sub-directories with recursiveDirectorySearch) whose name does not start with `.`,
 * does not end with fileSuffix, matches includePattern and not ignorePattern, and, with trackingPolicy
 * tracker_dir, has no completion marker. Ordered by consumeOrder: oldest / youngest by modification
 * time in whole milliseconds (as File.lastModified), ties to the smaller name; random is shuffled.
 *
 * Markers written by Sluice hold the identity of the file they mark, so a new file under a completed
 * name is reported instead of being skipped silently; Flume's empty markers are honoured as they are.
 */
import { type Dirent, type FSWatcher, type Stats, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sleep } from '../../core/lifecycle.ts';
import type { SpoolDirConfig } from './options.ts';
import { type FileIdentity, identityOf, sameIdentity } from './tracker.ts';

export interface Candidate {
  /** Absolute path. */
  readonly path: string;
  /** Path relative to spoolDir, with `/` separators. */
  readonly rel: string;
  readonly name: string;
  readonly stats: Stats;
}

export interface DiscoveryEvents {
  /** A file was found under the name of one already completed (tracker_dir policy). */
  reused(c: Candidate, marker: string): void;
  /** A sub-directory could not be listed; what was found elsewhere is still returned. */
  unlistable(dir: string, err: unknown): void;
}

type Cfg = Pick<SpoolDirConfig, 'spoolDir' | 'trackerDir' | 'suffix' | 'retire' | 'include' | 'ignore' | 'order' | 'recursive'>;

export class Discovery {
  /** Marker contents never change once written: read each once. */
  private readonly markerIds = new Map<string, FileIdentity | null>();

  constructor(
    private readonly cfg: Cfg,
    private readonly events: DiscoveryEvents,
  ) {}

  markerPath(rel: string): string {
    return join(this.cfg.trackerDir, rel + this.cfg.suffix);
  }

  /** Records the marker just written for a file, so its name counts as completed by that file. */
  marked(marker: string, id: FileIdentity): void {
    this.markerIds.set(marker, id);
  }

  /** Candidates in the order they should be read. Throws if spoolDir itself cannot be listed. */
  async scan(): Promise<Candidate[]> {
    const markers = this.cfg.retire === 'tracker_dir' ? await this.markers() : new Set<string>();
    const out: Candidate[] = [];
    await this.walk(this.cfg.spoolDir, out, true);
    const kept: Candidate[] = [];
    for (const c of out) {
      const marker = markers.has(c.rel) ? this.markerPath(c.rel) : undefined;
      if (marker === undefined) kept.push(c);
      else if (!(await this.completes(marker, c))) this.events.reused(c, marker);
    }
    return order(kept, this.cfg.order);
  }

  private async walk(dir: string, out: Candidate[], top: boolean): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (top) throw err;
      this.events.unlistable(dir, err);
      return;
    }
    const { include, ignore, suffix } = this.cfg;
    for (const e of entries) {
      const name = e.name;
      if (name.startsWith('.') || ignore.test(name)) continue;
      const path = join(dir, name);
      if (e.isDirectory()) {
        if (this.cfg.recursive && path !== this.cfg.trackerDir) await this.walk(path, out, false);
        continue;
      }
      if (!(e.isFile() || e.isSymbolicLink()) || name.endsWith(suffix) || !include.test(name)) continue;
      const stats = await stat(path).catch(() => undefined);
      if (!stats?.isFile()) continue;
      out.push({ path, rel: toRel(this.cfg.spoolDir, path), name, stats });
    }
  }

  /** Relative paths (without the suffix) of every marker in trackerDir. */
  private async markers(): Promise<Set<string>> {
    const found = new Set<string>();
    const { trackerDir, suffix } = this.cfg;
    const visit = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== '.sluice') await visit(path);
        } else if (e.name.endsWith(suffix)) found.add(toRel(trackerDir, path).slice(0, -suffix.length));
      }
    };
    await visit(trackerDir);
    return found;
  }

  /** Does this marker mark this very file? An empty marker (Flume's) says nothing, so yes. */
  private async completes(marker: string, c: Candidate): Promise<boolean> {
    let id = this.markerIds.get(marker);
    if (id === undefined) {
      id = await readFile(marker, 'utf8').then(parseIdentity, () => null);
      this.markerIds.set(marker, id);
    }
    return id === null || sameIdentity(id, identityOf(c.stats));
  }
}

function parseIdentity(text: string): FileIdentity | null {
  try {
    const id = JSON.parse(text) as FileIdentity;
    return typeof id.size === 'number' && typeof id.ino === 'number' ? id : null;
  } catch {
    return null;
  }
}

function toRel(root: string, path: string): string {
  const rel = relative(root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function order(files: Candidate[], how: Cfg['order']): Candidate[] {
  if (how === 'random') {
    for (let i = files.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [files[i], files[j]] = [files[j]!, files[i]!];
    }
    return files;
  }
  const sign = how === 'oldest' ? 1 : -1;
  return files.sort((a, b) => {
    const d = Math.floor(a.stats.mtimeMs) - Math.floor(b.stats.mtimeMs);
    if (d !== 0) return sign * d;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** A watcher wake-up never scans more often than this. */
const MIN_SCAN_GAP_MS = 50;

/**
 * The wait between scans: `pollDelay`, ended early when the watcher of spoolDir sees a change. The
 * scan itself decides what to read; a watcher that fails or misses events (sub-directories, network
 * file systems) only leaves the polling as it is.
 */
export class ScanTimer {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly dir: string,
    private readonly pollDelayMs: number,
  ) {}

  watch(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.wake?.());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined;
    }
  }

  async idle(signal: AbortSignal): Promise<void> {
    await sleep(MIN_SCAN_GAP_MS, signal);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, this.pollDelayMs - MIN_SCAN_GAP_MS));
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
