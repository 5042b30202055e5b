/**
 * `host` interceptor (org.apache.flume.interceptor.HostInterceptor$Builder): sets a header to this
 * host's IP address (`useIP`, the default) or its canonical name. As Flume's InetAddress.getLocalHost()
 * does, it resolves the machine's own name and takes the first IPv4 address (else the first address);
 * the canonical name is the reverse lookup of that address, kept only if it resolves back to it, else
 * the address itself.
 *
 * Deviation: Flume resolves while building the interceptor; Node's resolver is asynchronous, so Sluice
 * resolves once in `initialize`, before the source starts, and gives up after 5 s. When resolution
 * fails the header is not set, as in Flume, and a warning says why.
 */
import { lookup, lookupService } from 'node:dns/promises';
import { hostname } from 'node:os';
import { opt, type OptionsOf } from '../config/schema.ts';
import { type ComponentContext, defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import type { Interceptor } from '../core/interceptor.ts';
import { putHeader } from './util/put-header.ts';

const RESOLVE_TIMEOUT_MS = 5000;

/** What InetAddress.getLocalHost() gives: its address, or its canonical name. */
export async function localHost(useIP: boolean): Promise<string> {
  const name = hostname();
  const all = await lookup(name, { all: true });
  const address = (all.find((a) => a.family === 4) ?? all[0])?.address;
  if (address === undefined) throw new Error(`the host name "${name}" resolves to no address`);
  if (useIP) return address;
  try {
    const reverse = (await lookupService(address, 0)).hostname;
    const forward = await lookup(reverse, { all: true });
    return forward.some((a) => a.address === address) ? reverse : address;
  } catch {
    return address;
  }
}

const options = {
  useIP: opt.bool('Use the IP address; false uses the canonical host name.', { default: true }),
  hostHeader: opt.string('The header to set.', { default: 'host' }),
  preserveExisting: opt.bool('Leave events that already have the header as they are.', { default: false }),
};

export class HostInterceptor implements Interceptor {
  private host: string | undefined;

  constructor(
    private readonly o: OptionsOf<typeof options>,
    private readonly ctx: ComponentContext,
    private readonly resolve: (useIP: boolean) => Promise<string> = localHost,
  ) {}

  async initialize(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${RESOLVE_TIMEOUT_MS} ms`)), RESOLVE_TIMEOUT_MS);
    });
    try {
      this.host = await Promise.race([this.resolve(this.o.useIP), timeout]);
      this.ctx.logger.info({ host: this.host }, `Header "${this.o.hostHeader}" will be "${this.host}".`);
    } catch (err) {
      const what = this.o.useIP ? 'IP address' : 'canonical name';
      this.ctx.logger.warn({ err }, `Could not resolve this host's ${what} (${(err as Error).message}); header "${this.o.hostHeader}" will not be set.`);
    } finally {
      clearTimeout(timer);
    }
  }

  intercept(events: Event[]): Event[] {
    return this.host === undefined ? events : putHeader(events, this.o.hostHeader, this.host, this.o.preserveExisting);
  }
}

export const hostInterceptor = defineInterceptor({
  type: 'host',
  flumeClass: 'org.apache.flume.interceptor.HostInterceptor$Builder',
  description: "Sets a header to this host's IP address or canonical name.",
  options,
  create: (o, ctx) => new HostInterceptor(o, ctx),
});
