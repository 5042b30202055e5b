/**
 * `exec` source (org.apache.flume.source.ExecSource): runs `command` (through `shell` when set, e.g.
 * `/bin/sh -c`) and turns every line of its stdout into an event, ends of line as Java's readLine
 * finds them (`\n`, `\r` or `\r\n`), body in `charset`. Lines are put in batches of `batchSize`, or
 * sooner once `batchTimeout` ms passed since the last put. With `restart`, the command is run again
 * `restartThrottle` ms after it ends; `logStdErr` logs its stderr lines at info.
 *
 * Deviation: when the channel refuses a batch Flume gives the batch up (and with it the rest of the
 * command's output unless `restart` is set). Sluice retries the same batch with a short back-off and
 * stops reading the command's stdout meanwhile, so the command blocks on a full pipe: backpressure,
 * not loss. The command runs in its own process group, and stopping the source ends the whole group.
 *
 * It cannot replay after a crash: output read but not yet put is lost with the process, and the
 * command does not know how far it was read.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { opt } from '../config/schema.ts';
import { defineSource, type SourceContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { sleep } from '../core/lifecycle.ts';
import { type Charset, charsets, LineQueue, LineSplitter, nodeEncoding } from './util/lines.ts';
import { type PollStatus, PollingSource } from './util/polling-source.ts';

export interface ExecOptions {
  command: string;
  shell: string | undefined;
  restart: boolean;
  restartThrottleMs: number;
  logStdErr: boolean;
  batchSize: number;
  batchTimeoutMs: number;
  charset: Charset;
}

const RETRY_MS = 100;
const MAX_RETRY_MS = 1000;
const KILL_AFTER_MS = 5000;

class ExecSource extends PollingSource {
  private child: ChildProcess | undefined;
  private readonly pending = new LineQueue();
  private pumping: Promise<void> | undefined;
  private lastPut = 0;

  constructor(
    ctx: SourceContext,
    private readonly o: ExecOptions,
  ) {
    super(ctx);
  }

  private get batchSize(): number {
    return Math.min(this.o.batchSize, this.ctx.maxBatch);
  }

  override async stop(): Promise<void> {
    // super.stop() aborts at once, then waits for the run, which ends once the command is gone.
    const stopped = super.stop();
    this.kill('SIGTERM');
    // What is still in the pipe belongs to a command being ended: not read, so the run ends promptly.
    this.child?.stdout?.destroy();
    const killer = setTimeout(() => this.kill('SIGKILL'), KILL_AFTER_MS);
    await stopped;
    clearTimeout(killer);
  }

  private kill(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** One run of the command; DONE unless `restart` asks for another. */
  protected async poll(signal: AbortSignal): Promise<PollStatus> {
    const how = await this.runOnce(signal);
    if (signal.aborted) return 'DONE';
    if (!this.o.restart) {
      this.ctx.logger.info(`Command "${this.o.command}" ${how}.`);
      return 'DONE';
    }
    this.ctx.logger.info(`Command "${this.o.command}" ${how}; running it again in ${this.o.restartThrottleMs} ms (restart = true).`);
    await sleep(this.o.restartThrottleMs, signal);
    return 'READY';
  }

  /** Runs the command once; resolves, saying how it ended, once all it printed has been put. */
  private async runOnce(signal: AbortSignal): Promise<string> {
    const [file, ...args] = this.o.shell ? [...this.o.shell.trim().split(/\s+/), this.o.command] : this.o.command.trim().split(/\s+/);
    // stdin stays an open pipe that nothing writes, as Flume leaves it.
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', this.o.logStdErr ? 'pipe' : 'ignore'], detached: true });
    this.child = child;
    const ended = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(`could not be run: ${err.message}`));
      child.once('close', (code, sig) => resolve(sig ? `was ended by ${sig}` : `exited with code ${code}`));
    });
    const lines = new LineSplitter(this.o.charset, true);
    const stdout = child.stdout!;
    stdout.on('data', (chunk: Buffer) => {
      const before = this.pending.size;
      lines.push(chunk, this.pending.lines);
      this.ctx.counter.eventReceived += this.pending.size - before;
      if (this.pending.size >= this.batchSize) this.pump(false, signal);
    });
    if (child.stderr) this.logStderr(child);
    this.lastPut = Date.now();
    const timer = setInterval(() => {
      if (this.pending.size > 0 && Date.now() - this.lastPut >= this.o.batchTimeoutMs) this.pump(true, signal);
    }, this.o.batchTimeoutMs);
    const how = await ended;
    clearInterval(timer);
    this.child = undefined;
    const last = lines.end();
    if (last !== undefined) {
      this.pending.lines.push(last);
      this.ctx.counter.eventReceived++;
    }
    await this.pumping;
    this.pump(true, signal);
    await this.pumping;
    return how;
  }

  /** Starts putting what is pending unless that is already under way; `all` includes a short last batch. */
  private pump(all: boolean, signal: AbortSignal): void {
    if (this.pumping) return;
    this.pumping = this.drain(all, signal).finally(() => {
      this.pumping = undefined;
    });
  }

  private async drain(all: boolean, signal: AbortSignal): Promise<void> {
    const stdout = this.child?.stdout;
    while (this.pending.size >= this.batchSize || (all && this.pending.size > 0)) {
      // Reading waits while a batch is put, so a full channel holds the command back.
      stdout?.pause();
      const batch = this.pending.take(this.batchSize);
      if (!(await this.put(batch, signal))) {
        const lost = batch.length + this.pending.size;
        this.pending.clear();
        this.ctx.logger.warn(`The source is stopping and the channel refused the last ${lost} lines read from "${this.o.command}"; they are lost.`);
      }
      this.lastPut = Date.now();
    }
    stdout?.resume();
  }

  /** Puts one batch, retrying it until the channel takes it; false when refused while stopping. */
  private async put(lines: string[], signal: AbortSignal): Promise<boolean> {
    const { counter, processor, logger } = this.ctx;
    const enc = nodeEncoding[this.o.charset];
    const events: Event[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) events[i] = { headers: {}, body: Buffer.from(lines[i]!, enc) };
    counter.appendBatchReceived++;
    for (let attempt = 1; ; attempt++) {
      try {
        await processor.processBatch(events);
        counter.eventAccepted += events.length;
        counter.appendBatchAccepted++;
        return true;
      } catch (err) {
        counter.channelWriteFail++;
        if (signal.aborted) return false;
        if (attempt === 1) logger.warn({ err }, `The channel refused a batch of ${events.length} lines; reading from "${this.o.command}" waits until it is taken.`);
        await sleep(Math.min(attempt * RETRY_MS, MAX_RETRY_MS), signal);
      }
    }
  }

  private logStderr(child: ChildProcess): void {
    const lines = new LineSplitter(this.o.charset, true);
    const out: string[] = [];
    let n = 0;
    const log = () => {
      for (const line of out) this.ctx.logger.info(`Command stderr line ${++n}: '${line}'`);
      out.length = 0;
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      lines.push(chunk, out);
      log();
    });
    child.stderr!.on('end', () => {
      const last = lines.end();
      if (last !== undefined) out.push(last);
      log();
    });
  }
}

export const execSource = defineSource({
  type: 'exec',
  flumeClass: 'org.apache.flume.source.ExecSource',
  description: "Runs a command and turns every line of its standard output into an event.",
  options: {
    command: opt.string('The command to run; split on whitespace unless `shell` is set.', { required: true }),
    shell: opt.string('Shell that runs the command, e.g. `/bin/sh -c`; the command is its last argument.'),
    restart: opt.bool('Run the command again when it ends.', { default: false }),
    restartThrottle: opt.int('Milliseconds to wait before running the command again.', { default: 10000, min: 0 }),
    logStdErr: opt.bool("Log the command's stderr lines at info level.", { default: false }),
    batchSize: opt.int('Most lines per batch put on the channel.', { default: 20, min: 1 }),
    batchTimeout: opt.int('Milliseconds after which a batch that is not full is put anyway.', { default: 3000, min: 1 }),
    charset: opt.enum('Charset of the command output (and of the event bodies).', charsets, { default: 'UTF-8' }),
  },
  batchSizeKey: 'batchSize',
  create: (o, ctx) =>
    new ExecSource(ctx, {
      command: o.command,
      shell: o.shell,
      restart: o.restart,
      restartThrottleMs: o.restartThrottle,
      logStdErr: o.logStdErr,
      batchSize: o.batchSize,
      batchTimeoutMs: o.batchTimeout,
      charset: o.charset,
    }),
});
