/** The shipped docker/ files as data, for the tests that check them without a Docker engine. */
import { readFileSync } from 'node:fs';
import { parseComposeYaml, type Yaml } from './compose.ts';

const root = new URL('../../', import.meta.url).pathname;

export interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
export function dockerfile(): Instruction[] {
  const text = readFileSync(`${root}docker/Dockerfile`, 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const sp = l.indexOf(' ');
      return { op: l.slice(0, sp).toUpperCase(), args: l.slice(sp + 1).trim() };
    });
}

export interface SluiceService {
  name: string;
  /** Arguments after the image's ENTRYPOINT. */
  command: string[];
  environment: Record<string, string>;
}

export function compose(): { services: Record<string, { [key: string]: Yaml }> } {
  return parseComposeYaml(readFileSync(`${root}docker/compose.yaml`, 'utf8')) as { services: Record<string, { [key: string]: Yaml }> };
}

/** The compose services that run the Sluice image. */
export function sluiceServices(): SluiceService[] {
  return Object.entries(compose().services)
    .filter(([, s]) => s['image'] === 'sluice:dev')
    .map(([name, s]) => ({ name, command: s['command'] as string[], environment: (s['environment'] ?? {}) as Record<string, string> }));
}

/** `--conf X --name Y` of a command line. */
export function confAndName(args: readonly string[]): { conf: string; name: string } {
  const at = (flag: string) => args[args.indexOf(flag) + 1]!;
  return { conf: at('--conf'), name: at('--name') };
}
