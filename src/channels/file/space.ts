/**
 * The `minimumRequiredSpace` floor. Free space is read with statfs at most once a second (or sooner when
 * the writes since the last reading could have crossed the floor) and the bytes written since are
 * subtracted, so the check costs nothing per commit. Only puts are refused: takes write a few bytes and
 * free whole data files, so they must go on when the disk is full.
 */
import { statfs } from 'node:fs/promises';
import type { Logger } from '../../core/logger.ts';
import { SluiceError } from '../../errors.ts';

const REFRESH_MS = 1000;

export class SpaceGuard {
  private free = 0;
  private readAt = 0;
  private written = 0;
  private reading: Promise<void> | undefined;
  private refusing = false;

  constructor(
    private readonly dirs: readonly string[],
    private readonly floor: number,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves when `bytes` more can be written above the floor; throws SLUICE_CHANNEL_DISK_FULL otherwise. */
  async reserve(bytes: number): Promise<void> {
    const stale = Date.now() - this.readAt > REFRESH_MS;
    if (stale || this.free - this.written - bytes < this.floor) await this.refresh();
    const left = this.free - this.written;
    if (left - bytes < this.floor) {
      if (!this.refusing) {
        this.logger.error(
          { freeBytes: left, minimumRequiredSpace: this.floor, dirs: this.dirs },
          `Channel "${this.channel}" refuses puts: ${left} bytes are free and minimumRequiredSpace is ${this.floor}. Takes go on; free disk space or lower minimumRequiredSpace.`,
        );
        this.refusing = true;
      }
      throw new SluiceError('SLUICE_CHANNEL_DISK_FULL', `Channel "${this.channel}" refuses a put of ${bytes} bytes: ${left} bytes are free and minimumRequiredSpace is ${this.floor}.`);
    }
    if (this.refusing) {
      this.logger.info({ freeBytes: left }, `Channel "${this.channel}" accepts puts again: free disk space is above minimumRequiredSpace.`);
      this.refusing = false;
    }
    this.written += bytes;
  }

  /** After ENOSPC the estimate was wrong: read the real figure before the next put. */
  invalidate(): void {
    this.readAt = 0;
  }

  private refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    let free = Number.POSITIVE_INFINITY;
    for (const dir of this.dirs) {
      try {
        const s = await statfs(dir);
        free = Math.min(free, s.bavail * s.bsize);
      } catch (err) {
        throw new SluiceError('SLUICE_CHANNEL_IO', `Channel "${this.channel}" could not read the free space of "${dir}": ${(err as Error).message}`, { cause: err });
      }
    }
    this.free = free;
    this.readAt = Date.now();
    this.written = 0;
  }
}
