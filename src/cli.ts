#!/usr/bin/env node
/** The `agent` command: parses flags (Sluice's and flume-ng's spellings) and hands over to src/agent/. */
import { statSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { graph, type RunOptions, run, validate } from './agent/main.ts';
import { readTap } from './agent/tap.ts';
import { top } from './agent/top.ts';
import type { LogFormat } from './core/logger.ts';
import { isSluiceError } from './errors.ts';

interface Flags {
  conf?: string;
  confFile?: string[];
  name?: string;
  logLevel: string;
  logFormat: LogFormat;
  define: Record<string, string>;
  metricsPort?: number;
  metricsHost?: string;
  drainTimeout: number;
  reloadConf: boolean;
  admin: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const define = (v: string, prev: Record<string, string> = {}) => {
  const eq = v.indexOf('=');
  return { ...prev, [eq < 0 ? v : v.slice(0, eq)]: eq < 0 ? 'true' : v.slice(eq + 1) };
};
const int = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
};

function withAgentFlags(cmd: Command): Command {
  return cmd
    .option('-c, --conf <file>', 'the properties file (a directory, as flume-ng passes, is ignored when -f is given)')
    .option('-f, --conf-file <file>', 'properties file, as flume-ng spells it; repeatable, later files win', collect)
    .option('-n, --name <agent>', 'the agent to run: the prefix of its keys')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .addOption(new Option('--log-format <format>', 'json lines, or text for people at a terminal').choices(['json', 'text']).default('json'))
    .option('-D, --define <key=value>', 'a property like Java -D, e.g. flume.monitoring.type=http', define, {})
    .option('--metrics-port <port>', 'serve /metrics, /prometheus and /health on this port', int)
    .option('--metrics-host <host>', 'address the metrics server binds (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--drain-timeout <ms>', 'on stop, how long sinks may drain the channels', int, 5000)
    .option('--no-reload-conf', 'do not watch the configuration file for changes (SIGHUP still reloads it)')
    .option('--admin', 'also serve /tap (samples of event contents) on the metrics port; bind it with --metrics-host 127.0.0.1', false);
}

function toRunOptions(f: Flags, cmd: Command): RunOptions {
  const files = [...(f.confFile ?? [])];
  if (f.conf && !(files.length > 0 && isDirectory(f.conf))) files.unshift(f.conf);
  if (files.length === 0) cmd.error('error: a configuration file is required: --conf <file>');
  if (!f.name) cmd.error('error: the agent name is required: --name <agent>');
  return { files, agent: f.name!, logLevel: f.logLevel, logFormat: f.logFormat, sys: f.define, metricsPort: f.metricsPort, metricsHost: f.metricsHost, drainMs: f.drainTimeout, reload: f.reloadConf, admin: f.admin };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// flume-ng passes Java system properties as -Dk=v; accept that spelling too.
const argv = process.argv.flatMap((a) => (/^-D[^=]+=/.test(a) ? ['-D', a.slice(2)] : [a]));

const program = new Command('agent').description('Sluice: a Flume-compatible event-collection agent.').showHelpAfterError();
withAgentFlags(program.command('run', { isDefault: true }).description('run an agent (the default command)')).action(async (f: Flags, cmd: Command) => {
  process.exitCode = await run(toRunOptions(f, cmd));
});
withAgentFlags(program.command('validate').description('check a configuration: print the wiring, or every error')).action(async (f: Flags, cmd: Command) => {
  process.exitCode = await validate(toRunOptions(f, cmd));
});

withAgentFlags(program.command('graph').description('print the topology as a Mermaid flowchart or Graphviz DOT, with each component\'s settings'))
  .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'))
  .action(async (f: Flags & { format: 'mermaid' | 'dot' }, cmd: Command) => {
    process.exitCode = await graph(toRunOptions(f, cmd), f.format);
  });

/** Ctrl-C ends the live views quietly. */
function interrupted(): AbortSignal {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  return stop.signal;
}

/** Prints a SluiceError's message without a stack trace and sets exit code 1. */
async function reporting(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!isSluiceError(err)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}

const DEFAULT_URL = 'http://127.0.0.1:41414';
program
  .command('top')
  .description("live view of a running agent's components, read from its metrics endpoint")
  .option('--url <url>', 'the agent\'s monitoring server', DEFAULT_URL)
  .option('--interval <ms>', 'time between redraws', int, 1000)
  .option('--count <n>', 'print n tables, then exit', int)
  .action((f: { url: string; interval: number; count?: number }) => reporting(() => top({ url: f.url, intervalMs: f.interval, iterations: f.count, out: process.stdout, signal: interrupted() })));

program
  .command('tap <component>')
  .description('stream a sample of the events passing a source, channel or sink as JSON lines (the agent needs --admin)')
  .option('--url <url>', 'the agent\'s monitoring server', DEFAULT_URL)
  .option('--per-second <n>', 'most events shown per second', int, 10)
  .option('--preview <bytes>', 'body bytes shown per event', int, 256)
  .option('--count <n>', 'stop after n events', int)
  .action((component: string, f: { url: string; perSecond: number; preview: number; count?: number }) =>
    reporting(() => readTap({ url: f.url, component, perSecond: f.perSecond, previewBytes: f.preview, count: f.count, signal: interrupted() }, (line) => process.stdout.write(`${line}\n`))),
  );

await program.parseAsync(argv);
