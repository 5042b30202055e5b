/** Builds interceptors the way an agent does: from properties text, through loadConfig and the registry. */
import type { AgentPlan } from '../../src/config/plan.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Event } from '../../src/core/event.ts';
import type { Interceptor } from '../../src/core/interceptor.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { ConfigErrors, type ConfigError } from '../../src/errors.ts';

/** Properties of agent a1 whose seq source runs the given interceptors (name → key → value, values unescaped). */
export function agentText(chain: Record<string, Record<string, string>>, extra: string[] = []): string {
  const quote = (v: string) => v.replace(/\\/g, '\\\\');
  const lines = ['a1.sources = r1', 'a1.channels = c1', 'a1.sources.r1.type = seq', 'a1.sources.r1.channels = c1', 'a1.channels.c1.type = memory'];
  lines.push(`a1.sources.r1.interceptors = ${Object.keys(chain).join(' ')}`);
  for (const [name, props] of Object.entries(chain)) {
    for (const [k, v] of Object.entries(props)) lines.push(`a1.sources.r1.interceptors.${name}.${k} = ${quote(v)}`);
  }
  return `${[...lines, ...extra].join('\n')}\n`;
}

export function plan(chain: Record<string, Record<string, string>>): AgentPlan {
  return loadConfig({ files: ['agent.properties'], agent: 'a1', text: agentText(chain) });
}

/** One interceptor of `type` with `props`, built and initialized. */
export async function build(type: string, props: Record<string, string> = {}): Promise<Interceptor> {
  const p = plan({ i1: { type, ...props } }).sources[0]!.interceptors[0]!;
  const i = p.descriptor.create(p.options, { agent: 'a1', name: p.name, logger: silentLogger });
  await i.initialize?.();
  return i;
}

/** The configuration errors (and warnings) a chain produces. */
export function problems(chain: Record<string, Record<string, string>>): { errors: ConfigError[]; warnings: ConfigError[] } {
  try {
    return { errors: [], warnings: plan(chain).warnings };
  } catch (err) {
    if (err instanceof ConfigErrors) return { errors: err.errors, warnings: [] };
    throw err;
  }
}

export function ev(body: string, headers: Record<string, string> = {}): Event {
  return { headers, body: Buffer.from(body) };
}
