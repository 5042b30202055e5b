/**
 * `agent tap`: a sample of the events passing one component of a running agent, as JSON lines with
 * a preview of each body. A source shows what it put (after its interceptors), a channel what the
 * sources committed into it, a sink what its destination confirmed.
 *
 * Nothing is hooked while no tap is open: the hooks (ChannelProcessor.tap, BatchingSink.tap) are set
 * only on the objects a tap watches, and re-set after a reload rebuilds them. Sampling is per batch:
 * at most `perSecond` events, spread over the batch; when the reader is slow, samples are dropped
 * rather than buffered.
 */
import type { ServerResponse } from 'node:http';
import type { Channel } from '../core/channel.ts';
import type { ChannelProcessor } from '../core/channel-processor.ts';
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';
import { BatchingSink } from '../sinks/util/batching-sink.ts';
import type { Topology } from './build.ts';
import { fetchAgent } from './top.ts';

export type TapKind = 'source' | 'channel' | 'sink';

export interface TapOptions {
  /** Most events per second written to the reader. */
  perSecond: number;
  /** Body bytes shown per event. */
  previewBytes: number;
}

/** Where sampled lines go; `busy` true means the reader has not caught up, so the sample is skipped. */
export interface TapReader {
  write(line: string): void;
  busy(): boolean;
}

interface Tap {
  kind: TapKind;
  name: string;
  o: TapOptions;
  reader: TapReader;
  windowStart: number;
  sent: number;
}

type Hook = (events: Event[], channel?: Channel) => void;

export class Taps {
  private readonly open = new Set<Tap>();
  private topology: Topology | undefined;
  private hooked: Array<ChannelProcessor | BatchingSink> = [];

  /** Called whenever the running objects change (start, reload, stop). */
  bind(t: Topology | undefined): void {
    this.topology = t;
    this.rehook();
  }

  /** Names a tap accepts: `name` when unambiguous, or `kind:name`. */
  components(): Array<{ kind: TapKind; name: string }> {
    const t = this.topology;
    if (!t) return [];
    return [
      ...t.sources.map((s) => ({ kind: 'source' as const, name: s.name })),
      ...[...t.channels.keys()].map((name) => ({ kind: 'channel' as const, name })),
      ...t.runners.flatMap((r) => r.processor.sinks.map((s) => ({ kind: 'sink' as const, name: s.name }))),
    ];
  }

  /** Starts sampling `component` into `reader`; returns the function that stops it. */
  attach(component: string, o: TapOptions, reader: TapReader): () => void {
    const { kind, name } = this.resolve(component);
    const tap: Tap = { kind, name, o, reader, windowStart: 0, sent: 0 };
    this.open.add(tap);
    this.rehook();
    return () => {
      this.open.delete(tap);
      this.rehook();
    };
  }

  private resolve(component: string): { kind: TapKind; name: string } {
    const all = this.components();
    const colon = component.indexOf(':');
    const [kind, name] = colon > 0 ? [component.slice(0, colon), component.slice(colon + 1)] : [undefined, component];
    const found = all.filter((c) => c.name === name && (kind === undefined || c.kind === kind));
    const list = all.map((c) => `${c.kind}:${c.name}`).join(', ') || '(the agent is not running)';
    if (found.length === 0) throw new SluiceError('SLUICE_AGENT_TAP', `No component "${component}" to tap; components: ${list}.`);
    if (found.length > 1) throw new SluiceError('SLUICE_AGENT_TAP', `"${component}" names ${found.map((c) => `${c.kind}:${c.name}`).join(' and ')}; say which, e.g. "${found[0]!.kind}:${name}".`);
    return found[0]!;
  }

  private rehook(): void {
    for (const h of this.hooked) h.tap = undefined;
    this.hooked = [];
    const t = this.topology;
    if (!t || this.open.size === 0) return;
    const hooks = new Map<ChannelProcessor | BatchingSink, Hook[]>();
    const add = (target: ChannelProcessor | BatchingSink, hook: Hook) => hooks.set(target, [...(hooks.get(target) ?? []), hook]);
    for (const tap of this.open) {
      const emit = (events: Event[]) => sample(tap, events);
      if (tap.kind === 'source') {
        const s = t.sources.find((x) => x.name === tap.name);
        if (s) add(s.processor, (events, channel) => channel === undefined && emit(events));
      } else if (tap.kind === 'channel') {
        const ch = t.channels.get(tap.name);
        for (const s of t.sources) if (ch && s.processor.selector.channels.includes(ch)) add(s.processor, (events, channel) => channel === ch && emit(events));
      } else {
        const sink = t.runners.flatMap((r) => r.processor.sinks).find((x) => x.name === tap.name)?.sink;
        if (sink instanceof BatchingSink) add(sink, emit);
      }
    }
    for (const [target, list] of hooks) {
      target.tap =
        list.length === 1
          ? list[0]
          : (events: Event[], channel?: Channel) => {
              for (const h of list) h(events, channel);
            };
      this.hooked.push(target);
    }
  }
}

/** Writes up to the tap's remaining quota for this second, spread evenly over the batch. */
function sample(tap: Tap, events: Event[]): void {
  const now = Date.now();
  if (now - tap.windowStart >= 1000) {
    tap.windowStart = now;
    tap.sent = 0;
  }
  const k = Math.min(tap.o.perSecond - tap.sent, events.length);
  if (k <= 0 || tap.reader.busy()) return;
  const step = events.length / k;
  const time = new Date(now).toISOString();
  for (let i = 0; i < k; i++) tap.reader.write(`${JSON.stringify(describe(tap, events[Math.floor(i * step)]!, time))}\n`);
  tap.sent += k;
}

export interface TappedEvent {
  component: string;
  kind: TapKind;
  time: string;
  headers: Record<string, string>;
  bodyBytes: number;
  /** The first previewBytes of the body, as text when it is printable UTF-8, else base64. */
  body: string;
  encoding: 'utf8' | 'base64';
  truncated: boolean;
}

function describe(tap: Tap, e: Event, time: string): TappedEvent {
  const truncated = e.body.length > tap.o.previewBytes;
  const head = truncated ? e.body.subarray(0, tap.o.previewBytes) : e.body;
  // A cut through a multi-byte character leaves a replacement character at the end; drop it.
  const text = head.toString('utf8').replace(truncated ? /\uFFFD{1,3}$/ : /$^/, '');
  const binary = /[\u0000-\u0008\u000E-\u001F\uFFFD]/.test(text);
  return {
    component: tap.name,
    kind: tap.kind,
    time,
    headers: e.headers,
    bodyBytes: e.body.length,
    body: binary ? head.toString('base64') : text,
    encoding: binary ? 'base64' : 'utf8',
    truncated,
  };
}

const HEARTBEAT_MS = 10_000;

/** The admin endpoint: GET /tap?component=<name>&perSecond=<n>&preview=<bytes> streams JSON lines until the reader goes. */
export function serveTap(query: URLSearchParams, res: ServerResponse, taps: Taps): void {
  const num = (key: string, fallback: number, max: number) => {
    const v = Number(query.get(key) ?? fallback);
    return Number.isInteger(v) && v > 0 ? Math.min(v, max) : fallback;
  };
  const o = { perSecond: num('perSecond', 10, 10_000), previewBytes: num('preview', 256, 65_536) };
  let detach: () => void;
  try {
    detach = taps.attach(query.get('component') ?? '', o, { write: (line) => res.write(line), busy: () => res.writableNeedDrain });
  } catch (err) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: (err as SluiceError).code, error: (err as Error).message }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  res.flushHeaders();
  // An empty line now and then keeps a quiet stream from looking dead to the reader and to proxies.
  const beat = setInterval(() => res.writableNeedDrain || res.write('\n'), HEARTBEAT_MS).unref();
  res.on('close', () => {
    clearInterval(beat);
    detach();
  });
}

export interface TapClientOptions extends TapOptions {
  /** The agent's monitoring address, e.g. http://127.0.0.1:41414. */
  url: string;
  component: string;
  /** Stop after this many events; undefined: until interrupted. */
  count?: number;
  signal?: AbortSignal;
}

/** Reads a running agent's tap and hands each JSON line to `out`; resolves with the number of events read. */
export async function readTap(o: TapClientOptions, out: (line: string) => void): Promise<number> {
  const stop = new AbortController();
  o.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const url = new URL('/tap', o.url);
  url.search = new URLSearchParams({ component: o.component, perSecond: String(o.perSecond), preview: String(o.previewBytes) }).toString();
  const res = await fetchAgent(url, stop.signal);
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new SluiceError('SLUICE_AGENT_TAP', body.error ?? `${url} answered ${res.status}.`);
  }
  let n = 0;
  let rest = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line === '') continue;
        out(line);
        if (++n === o.count) {
          stop.abort();
          return n;
        }
      }
    }
  } catch (err) {
    if (!stop.signal.aborted) throw new SluiceError('SLUICE_AGENT_UNREACHABLE', `The tap stream from ${url} broke: ${(err as Error).message}.`, { cause: err });
  }
  return n;
}
