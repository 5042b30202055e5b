/**
 * User-written components loaded as ES modules. A component's `type` may name a module instead of a
 * built-in type: a path (`./plugins/enrich.js`, `../x.mjs`, `/opt/x.js`, `file:` URL; relative to the
 * configuration file) or an installed package (`@scope/name`, or `npm:name` for an unscoped one).
 *
 * The module exports the same descriptor as the built-in components (`defineInterceptor` etc. from the
 * package root), as its default export or as `interceptor` / `source` / `sink` / `channel`. Problems are
 * reported at load time with the module path, the key and the line, like any configuration error.
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { channels } from '../channels/registry.ts';
import type { Descriptor, InterceptorContext } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import type { Interceptor } from '../core/interceptor.ts';
import type { Registry } from '../core/registry.ts';
import { ConfigError, ConfigErrors } from '../errors.ts';
import { interceptors } from '../interceptors/registry.ts';
import { sinks } from '../sinks/registry.ts';
import { sources } from '../sources/registry.ts';
import type { PropEntry } from './properties.ts';
import { opt } from './schema.ts';

type Kind = 'source' | 'sink' | 'channel' | 'interceptor';
type AnyDescriptor = Descriptor<Record<string, never>, never, unknown>;

const registries: Record<Kind, Registry<AnyDescriptor>> = {
  source: sources as unknown as Registry<AnyDescriptor>,
  sink: sinks as unknown as Registry<AnyDescriptor>,
  channel: channels as unknown as Registry<AnyDescriptor>,
  interceptor: interceptors as unknown as Registry<AnyDescriptor>,
};

/** True when a `type` value names a module rather than a built-in type. */
export function isModuleSpecifier(type: string): boolean {
  return /^(\.{1,2}\/|\/|file:|npm:|@[^/]+\/)/.test(type) || /\.(m?js|cjs|ts|mts)$/.test(type);
}

function kindOf(key: string, agent: string): Kind | undefined {
  const rest = key.slice(agent.length + 1);
  if (/^sources\.[^.]+\.interceptors\.[^.]+\.type$/.test(rest)) return 'interceptor';
  const m = /^(sources|sinks|channels)\.[^.]+\.type$/.exec(rest);
  return m ? (m[1]!.slice(0, -1) as Kind) : undefined;
}

function moduleUrl(spec: string, configFile: string): string {
  const base = dirname(resolve(configFile));
  if (spec.startsWith('file:')) return spec;
  if (spec.startsWith('npm:') || spec.startsWith('@')) {
    const name = spec.replace(/^npm:/, '');
    try {
      return pathToFileURL(createRequire(resolve(base, 'sluice.config')).resolve(name)).href;
    } catch {
      return name;
    }
  }
  return pathToFileURL(isAbsolute(spec) ? spec : resolve(base, spec)).href;
}

/** Runtime policy for an interceptor module that throws, added to every interceptor plugin's options. */
export const onErrorOption = opt.enum(
  'Sluice only, for interceptor modules: `fail` the batch (the source retries it) or `drop` the events that throw, each counted in the source\'s GenericProcessingFail.',
  ['fail', 'drop'] as const,
  { default: 'fail' },
);

function shapeProblem(d: unknown, kind: Kind): string | undefined {
  if (typeof d !== 'object' || d === null) return `exports no ${kind} descriptor (default export or "${kind}")`;
  const x = d as Partial<AnyDescriptor>;
  if (typeof x.create !== 'function') return `its ${kind} descriptor has no create(options, context) function`;
  if (x.options !== undefined && (typeof x.options !== 'object' || Object.values(x.options as Record<string, { kind?: unknown } | null>).some((s) => typeof s?.kind !== 'string'))) {
    return 'its options must be an option table built with opt.* (each entry has a kind)';
  }
  return undefined;
}

/**
 * Imports every module named by a `type` of `agent` and registers its descriptor under that exact
 * spelling, so the synchronous loader then treats it like a built-in. Throws ConfigErrors.
 */
export async function loadPlugins(entries: ReadonlyMap<string, PropEntry>, agent: string): Promise<void> {
  const errors: ConfigError[] = [];
  for (const e of entries.values()) {
    if (!e.key.startsWith(`${agent}.`) || !isModuleSpecifier(e.value)) continue;
    const kind = kindOf(e.key, agent);
    if (!kind) continue;
    const where = { file: e.file, line: e.line, key: e.key, value: e.value };
    if (registries[kind].lookup(e.value)) continue;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(moduleUrl(e.value, e.file))) as Record<string, unknown>;
    } catch (err) {
      errors.push(new ConfigError('SLUICE_CONFIG_PLUGIN', `names a module that cannot be loaded: ${(err as Error).message}`, where));
      continue;
    }
    const d = (mod[kind] ?? mod['default']) as AnyDescriptor | undefined;
    const problem = shapeProblem(d, kind);
    if (problem) {
      errors.push(new ConfigError('SLUICE_CONFIG_PLUGIN', `names module ${e.value}, which ${problem}`, where));
      continue;
    }
    registries[kind].register(e.value, pluginDescriptor(d!, kind, e.value));
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
}

/** Fills what a plugin may leave out, and wraps its factory so a throw names the module. */
function pluginDescriptor(d: AnyDescriptor, kind: Kind, spec: string): AnyDescriptor {
  const options = { ...(d.options ?? {}), ...(kind === 'interceptor' ? { onError: onErrorOption } : {}) } as Record<string, never>;
  return {
    ...d,
    type: spec,
    description: d.description ?? `User ${kind} from ${spec}.`,
    options,
    create(o: Record<string, unknown>, ctx: never) {
      let made: unknown;
      try {
        made = d.create(o as never, ctx);
      } catch (err) {
        throw new ConfigError('SLUICE_CONFIG_PLUGIN', `module ${spec} failed to create its ${kind}: ${(err as Error).message}`, {});
      }
      if (kind !== 'interceptor') return made;
      if (typeof (made as Interceptor | undefined)?.intercept !== 'function') {
        throw new ConfigError('SLUICE_CONFIG_PLUGIN', `module ${spec} created an interceptor without an intercept(events) function`, {});
      }
      return guarded(made as Interceptor, o['onError'] as 'fail' | 'drop', ctx as InterceptorContext);
    },
  } as AnyDescriptor;
}

/**
 * Applies `onError`. With `drop`, a batch whose interception threw is retried one event at a time and
 * only the events that throw are dropped (counted in GenericProcessingFail, logged with the error).
 */
function guarded(inner: Interceptor, onError: 'fail' | 'drop', ctx: InterceptorContext): Interceptor {
  if (onError === 'fail') return inner;
  return {
    ...inner,
    intercept(events: Event[]): Event[] {
      try {
        return inner.intercept(events);
      } catch {
        const kept: Event[] = [];
        for (const e of events) {
          try {
            kept.push(...inner.intercept([e]));
          } catch (err) {
            if (ctx.counter) ctx.counter.genericProcessingFail++;
            ctx.logger.warn({ err, headers: e.headers }, 'Interceptor module threw on an event; the event is dropped (onError = drop).');
          }
        }
        return kept;
      }
    },
  };
}
