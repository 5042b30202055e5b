/**
 * The interceptor contract: a batch in, a batch out. An interceptor may change headers and bodies in
 * place and drop events by leaving them out of the returned array; an event it drops counts as
 * delivered for acknowledgements. `initialize` (Flume's Interceptor.initialize) runs once before the
 * source starts, for set-up that cannot be synchronous, such as a name lookup.
 */
import type { Event } from './event.ts';

export interface Interceptor {
  intercept(events: Event[]): Event[];
  initialize?(): Promise<void>;
  close?(): void;
}

export function chain(interceptors: readonly Interceptor[]): Interceptor | undefined {
  if (interceptors.length === 0) return undefined;
  if (interceptors.length === 1) return interceptors[0];
  return {
    intercept(events) {
      let out = events;
      for (let i = 0; i < interceptors.length && out.length > 0; i++) out = interceptors[i]!.intercept(out);
      return out;
    },
    async initialize() {
      for (const i of interceptors) await i.initialize?.();
    },
    close() {
      for (const i of interceptors) i.close?.();
    },
  };
}
