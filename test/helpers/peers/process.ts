import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Set SLUICE_KEEP_PEER_DIRS=1 to keep every peer's data and log directory after the run. */
const keepDirs = process.env['SLUICE_KEEP_PEER_DIRS'] === '1';

const live = new Set<PeerProcess>();
/** Every peer created by this process, running or not, in creation order. */
export const allPeers = new Set<PeerProcess>();
const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();
let hooked = false;

// Peers run in their own process group so that stop() reaches every process they start, which also means a
// terminal's Ctrl-C never reaches them: this process must end them itself, on any way out.
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const peer of live) peer.signal('SIGKILL');
    for (const child of children) child.kill('SIGKILL');
  };
  process.on('exit', () => {
    killAll();
    if (!keepDirs) for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      // Another listener (such as the test runner's) decides how to exit; alone, exit as the signal would.
      if (process.listenerCount(sig) === 1) process.exit(128 + constants.signals[sig]);
    };
    process.on(sig, onSignal);
  }
}

let deathSignal: boolean | undefined;

// On Linux, `setpriv --pdeathsig` makes the kernel send SIGTERM to the peer when this process dies, even by
// SIGKILL, where no exit handler runs. setpriv execs the command, so the peer keeps the spawned pid.
function guarded(command: string, args: string[]): [string, string[]] {
  deathSignal ??= spawnSync('setpriv', ['--pdeathsig', 'TERM', 'true']).status === 0;
  return deathSignal ? ['setpriv', ['--pdeathsig', 'TERM', command, ...args]] : [command, args];
}

/**
 * spawn() for the agents and tools a test starts. A test that fails while one runs must not leave it
 * behind: it would keep the test file's process (and the whole suite) from ending. So it is killed when
 * this process exits, and by the kernel when this process dies.
 */
export function spawnChild(command: string, args: string[], options: SpawnOptions): ChildProcess {
  hookExit();
  const [cmd, argv] = guarded(command, args);
  const child = spawn(cmd, argv, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** A fresh directory under the system temp dir, removed when this process exits (see SLUICE_KEEP_PEER_DIRS). */
export function makePeerDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
  tempDirs.add(dir);
  return dir;
}

/** Spawns a short-lived command (a CLI client); resolves with its output, rejects if it fails or overruns. */
export function run(
  command: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; cwd?: string; label?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  const [cmd, argv] = guarded(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new Error(`${opts.label ?? command} ${why}\n${tail(stderr + stdout, 40)}`));
    });
    child.stdin.on('error', () => {}); // a client that exits early closes its stdin: not an error of ours
    child.stdin.end(opts.input ?? '');
  });
}

// The peer's child handle is unref'd, so a wait on its exit alone would let the event loop drain and this
// process exit in the middle of the await; an interval holds it open until the promise settles.
function held<T>(promise: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1000);
  return promise.finally(() => clearInterval(timer));
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines - 1).join('\n');
}

export interface LaunchSpec<T> {
  command: string;
  args: string[];
  cwd: string;
  /**
   * Polled every 100 ms with what the peer has written since this launch; the launch is done once it returns
   * a value, and fails (the peer is killed) if it throws.
   */
  ready: (output: string) => T | undefined | Promise<T | undefined>;
  timeoutMs: number;
}

/** One long-running peer process (a JVM), its log file (in dir), and its lifecycle across restarts. */
export class PeerProcess {
  readonly logFile: string;
  #child: ChildProcess | undefined;
  #exited: Promise<string> = Promise.resolve('not started');
  #launches = 0;

  constructor(
    readonly name: string,
    readonly dir: string,
  ) {
    this.logFile = join(dir, `${name}.log`);
    allPeers.add(this);
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the process with stdout and stderr appended to the log file, and waits until spec.ready says so. */
  async launch<T>(spec: LaunchSpec<T>): Promise<T> {
    if (this.#child) throw new Error(`${this.name} is already running`);
    hookExit();
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      const shown = spec.args.map((a, i) => (spec.args[i - 1] === '-cp' ? `<${a.split(':').length} entries>` : a));
      writeSync(fd, `===== ${this.name} launch ${++this.#launches}, ${new Date().toISOString()}: ${spec.command} ${shown.join(' ')}\n`);
      const [cmd, argv] = guarded(spec.command, spec.args);
      child = spawn(cmd, argv, { cwd: spec.cwd, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const from = statSync(this.logFile).size;
    this.#child = child;
    live.add(this);
    // The peer must not hold the test process open by itself: stop() and the exit hook end it.
    child.unref();
    this.#exited = new Promise((resolve) => {
      const gone = (why: string): void => {
        if (this.#child !== child) return;
        this.#child = undefined;
        live.delete(this);
        resolve(why);
      };
      child.once('exit', (code, signal) => gone(signal ? `killed by ${signal}` : `exited with code ${code}`));
      child.once('error', (err) => gone(`could not be started: ${err.message}`));
    });

    const deadline = Date.now() + spec.timeoutMs;
    for (;;) {
      if (this.#child !== child) throw this.#failure(`${await this.#exited} before it was ready`);
      let value: T | undefined;
      try {
        value = await spec.ready(this.#output(from));
      } catch (err) {
        await this.kill();
        throw this.#failure((err as Error).message);
      }
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        await this.kill();
        throw this.#failure(`was not ready within ${spec.timeoutMs} ms`);
      }
      await delay(100);
    }
  }

  /** SIGTERM to the process group, SIGKILL after graceMs; resolves once the peer has exited. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.#child) return;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    const late = await Promise.race([this.#exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) await this.kill();
  }

  /** SIGKILL to the process group (a crash); resolves once the peer has exited. */
  async kill(): Promise<void> {
    if (!this.#child) return;
    this.signal('SIGKILL');
    await held(this.#exited);
  }

  signal(sig: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  }

  /** Everything the peer has written to its log, across launches. */
  logs(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 60): string {
    return tail(this.logs(), lines);
  }

  #output(from: number): string {
    try {
      return readFileSync(this.logFile).subarray(from).toString('utf8');
    } catch {
      return '';
    }
  }

  #failure(what: string): Error {
    const where = keepDirs ? `Log: ${this.logFile}` : 'SLUICE_KEEP_PEER_DIRS=1 keeps its log and data';
    return new Error(`${this.name} ${what}. ${where}\n----- last lines of its log -----\n${this.logTail(60)}`);
  }
}
