/**
 * A directory whose free space a fault may use up, for the `minimumRequiredSpace` floor of a file channel.
 * When this process may mount (root), it is a small tmpfs of its own: nothing else moves its free space,
 * and filling it takes no one else's disk. Otherwise it is a directory on the shared disk, whose free space
 * other processes move too, so the floor is set well below what is free (and the fill is that much larger).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TMPFS_BYTES = 512 * 1024 * 1024;
const MiB = 1024 * 1024;

const mounted = new Set<string>();
process.on('exit', () => {
  for (const dir of mounted) spawnSync('umount', [dir]);
});

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export class ScratchDisk {
  private constructor(
    readonly dir: string,
    /** True for a tmpfs of its own, false for a directory on the shared disk. */
    readonly tmpfs: boolean,
  ) {}

  static create(): ScratchDisk {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-chaos-disk-'));
    const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
    if (ok) mounted.add(dir);
    return new ScratchDisk(dir, ok);
  }

  /** A `minimumRequiredSpace` that leaves a margin of free space above it now. */
  floor(): number {
    return Math.max(MiB, freeBytes(this.dir) - (this.tmpfs ? TMPFS_BYTES / 2 : 8 * 1024 * MiB));
  }

  private get ballast(): string {
    return join(this.dir, 'ballast');
  }

  /** Takes enough space that less than `floor` bytes stay free. */
  fill(floor: number): void {
    const slack = this.tmpfs ? 16 * MiB : 256 * MiB;
    execFileSync('fallocate', ['-l', String(Math.max(0, freeBytes(this.dir) - floor) + slack), this.ballast]);
  }

  empty(): void {
    rmSync(this.ballast, { force: true });
  }

  remove(): void {
    if (this.tmpfs) {
      spawnSync('umount', [this.dir]);
      mounted.delete(this.dir);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
