#!/usr/bin/env node
/** The `agent` command: parses flags (Sluice's and flume-ng's spellings) and hands over to src/agent/. */
import { statSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type RunOptions, run, validate } from './agent/main.ts';

interface Flags {
  conf?: string;
  confFile?: string[];
  name?: string;
  logLevel: string;
  define: Record<string, string>;
  metricsPort?: number;
  metricsHost?: string;
  drainTimeout: number;
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
    .option('-D, --define <key=value>', 'a property like Java -D, e.g. flume.monitoring.type=http', define, {})
    .option('--metrics-port <port>', 'serve /metrics, /prometheus and /health on this port', int)
    .option('--metrics-host <host>', 'address the metrics server binds', '0.0.0.0')
    .option('--drain-timeout <ms>', 'on stop, how long sinks may drain the channels', int, 5000);
}

function toRunOptions(f: Flags, cmd: Command): RunOptions {
  const files = [...(f.confFile ?? [])];
  if (f.conf && !(files.length > 0 && isDirectory(f.conf))) files.unshift(f.conf);
  if (files.length === 0) cmd.error('error: a configuration file is required: --conf <file>');
  if (!f.name) cmd.error('error: the agent name is required: --name <agent>');
  return { files, agent: f.name!, logLevel: f.logLevel, sys: f.define, metricsPort: f.metricsPort, metricsHost: f.metricsHost, drainMs: f.drainTimeout };
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
withAgentFlags(program.command('validate').description('check a configuration: print the wiring, or every error')).action((f: Flags, cmd: Command) => {
  process.exitCode = validate(toRunOptions(f, cmd));
});

await program.parseAsync(argv);
