/**
 * One Sluice agent run as the CLI in a child process, as operators run it, so the chaos suite can
 * SIGKILL it, hang it (SIGSTOP/SIGCONT), reload it (SIGHUP) and stop it (SIGTERM). Its log (JSON lines)
 * goes to a file, its counters come from its /metrics endpoint, and its peak resident memory from
 * /proc/<pid>/status (VmHWM), kept as a maximum across restarts.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../../helpers/peers.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** Flume's /metrics JSON: `TYPE.name` → attribute → value as a string. */
export type Metrics = Record<string, Record<string, string>>;

export class AgentProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Log offset at which the current run began. */
  private runFrom = 0;
  private expectingExit = false;
  peakRssKb = 0;
  starts = 0;
  /** Exits nobody asked for: a crash. */
  readonly crashes: string[] = [];

  constructor(
    readonly name: string,
    readonly conf: string,
    readonly agent: string,
    readonly metricsPort: number,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the CLI and resolves once the agent logged that it started. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.child) throw new Error(`${this.name} is already running`);
    const args = ['--import', 'tsx', 'src/cli.ts', '-f', this.conf, '-n', this.agent];
    args.push('--metrics-port', String(this.metricsPort), '--metrics-host', '127.0.0.1', '--no-reload-conf');
    const fd = openSync(this.logFile, 'a');
    this.runFrom = statSync(this.logFile).size;
    // Ended with the test process, however that ends (spawnChild).
    const child = spawnChild(process.execPath, args, { cwd: repo, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = child;
    this.starts++;
    this.expectingExit = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (!this.expectingExit) this.crashes.push(`${this.name} exited by itself (${signal ?? `code ${code}`})\n${this.logTail(30)}`);
        resolve();
      });
    });
    await this.waitForLog('the agent started', /"msg":"Agent started\./, this.runFrom, timeoutMs);
  }

  /** A crash: SIGKILL, after reading the peak memory the process reached. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** A clean stop (SIGTERM: sources stop, sinks drain); SIGKILL if it takes over a minute. */
  async stop(): Promise<void> {
    if (!this.child) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 60_000);
    await this.end('SIGTERM');
    clearTimeout(timer);
  }

  /** SIGSTOP: the process hangs with its sockets open, as a stalled machine would. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGHUP: the agent re-reads its configuration file. */
  reload(): void {
    this.child?.kill('SIGHUP');
  }

  /** Reads VmHWM, the peak resident set of the running process. */
  sampleRss(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) this.peakRssKb = Math.max(this.peakRssKb, Number(m[1]));
    } catch {
      // the process is gone
    }
  }

  async metrics(): Promise<Metrics | undefined> {
    if (!this.child) return undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(3000) });
      return res.ok ? ((await res.json()) as Metrics) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The log's current length: pass it to `logSince` or `waitForLog` to look only at what follows. */
  mark(): number {
    try {
      return statSync(this.logFile).size;
    } catch {
      return 0;
    }
  }

  logSince(offset: number): string {
    try {
      return readFileSync(this.logFile).subarray(offset).toString('utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 40): string {
    return this.logSince(0).split('\n').slice(-lines - 1).join('\n');
  }

  /** Waits until the log written since `from` matches; fails if the process exits or time runs out. */
  async waitForLog(what: string, pattern: RegExp, from: number, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.logSince(from);
      const m = pattern.exec(text);
      if (m) return m[0];
      if (!this.child) throw new Error(`${this.name} exited while waiting until ${what}:\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting until ${what}:\n${this.logTail()}`);
      await delay(100);
    }
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.sampleRss();
    this.expectingExit = true;
    child.kill('SIGCONT'); // a paused process must run to act on SIGTERM
    child.kill(signal);
    await this.exited;
  }
}

/** A counter from /metrics as a number (0 when the component or attribute is missing). */
export function counter(m: Metrics | undefined, component: string, attribute: string): number {
  return Number(m?.[component]?.[attribute] ?? 0);
}
