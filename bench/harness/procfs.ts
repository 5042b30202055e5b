/**
 * What the benchmark reads from Linux about the agent processes and the machine: CPU time from
 * /proc/<pid>/stat (every thread of a JVM or of Node counts), peak RSS from VmHWM in
 * /proc/<pid>/status, the load average, and a one-line description of the machine for the report.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU seconds a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Peak resident set (VmHWM) of a process in MB, or 0 once it is gone. */
export function peakRssMB(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pid of the process whose command line holds `needle` as one argument, if there is exactly one. */
export function findPid(needle: string): number | undefined {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').includes(needle)) found.push(Number(name));
    } catch {
      // the process ended while the list was read
    }
  }
  return found.length === 1 ? found[0] : undefined;
}

export const load1 = (): number => Math.round(loadavg()[0]! * 100) / 100;

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  java: string;
  kernel: string;
}

export function describeMachine(): Machine {
  const javaBin = process.env['JAVA_HOME'] ? `${process.env['JAVA_HOME']}/bin/java` : 'java';
  // `java -version` writes to stderr.
  const java = spawnSync(javaBin, ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0]?.trim() || 'unknown';
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    java,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'latin1').trim(),
  };
}
