/**
 * `agent top`: a live table of a running agent, read from its /metrics endpoint (Flume's JSON
 * shape, so it also works against a Flume agent): events in and out per second for each source,
 * channel and sink, channel fill, and error counts. Redrawn in place on a terminal; on a pipe, one
 * table per interval.
 */
import { SluiceError } from '../errors.ts';

export type Snapshot = Record<string, Record<string, string>>;

export interface Row {
  kind: 'source' | 'channel' | 'sink';
  name: string;
  /** Events per second; undefined on the first sample or after a counter went back (a restart). */
  inRate: number | undefined;
  outRate: number | undefined;
  fill?: number;
  size?: string;
  /** Errors since the component started. */
  errors: number;
}

const KINDS = { SOURCE: 'source', CHANNEL: 'channel', SINK: 'sink' } as const;

/** [in counter, out counter, error counters] per component type, with Flume's attribute names. */
const COUNTERS = {
  SOURCE: ['EventReceivedCount', 'EventAcceptedCount', ['EventReadFail', 'ChannelWriteFail', 'GenericProcessingFail']],
  CHANNEL: ['EventPutSuccessCount', 'EventTakeSuccessCount', ['EventPutErrorCount', 'EventTakeErrorCount']],
  SINK: ['EventDrainAttemptCount', 'EventDrainSuccessCount', ['EventWriteFail', 'ConnectionFailedCount', 'ChannelReadFail']],
} as const;

export function rows(prev: Snapshot | undefined, cur: Snapshot, seconds: number): Row[] {
  const out: Row[] = [];
  for (const [key, attrs] of Object.entries(cur)) {
    const dot = key.indexOf('.');
    const type = key.slice(0, dot) as keyof typeof COUNTERS;
    if (!(type in COUNTERS)) continue;
    const [inKey, outKey, errorKeys] = COUNTERS[type];
    const before = prev?.[key];
    const rate = (attr: string) => {
      if (!before || seconds <= 0) return undefined;
      const d = Number(attrs[attr] ?? 0) - Number(before[attr] ?? 0);
      return d >= 0 ? d / seconds : undefined;
    };
    const row: Row = { kind: KINDS[type], name: key.slice(dot + 1), inRate: rate(inKey), outRate: rate(outKey), errors: errorKeys.reduce((n, k) => n + Number(attrs[k] ?? 0), 0) };
    if (type === 'CHANNEL') {
      row.fill = Number(attrs['ChannelFillPercentage']);
      row.size = `${attrs['ChannelSize']}/${attrs['ChannelCapacity']}`;
    }
    out.push(row);
  }
  const order = { source: 0, channel: 1, sink: 2 };
  return out.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}

const rate = (r: number | undefined) => (r === undefined ? '-' : r >= 10 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1));

export function render(list: readonly Row[], title: string): string {
  const table = [
    ['COMPONENT', 'KIND', 'IN/s', 'OUT/s', 'FILL', 'SIZE', 'ERRORS'],
    ...list.map((r) => [r.name, r.kind, rate(r.inRate), rate(r.outRate), r.fill === undefined ? '' : r.fill > 100 ? 'n/a' : `${r.fill.toFixed(1)}%`, r.size ?? '', String(r.errors)]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
  return `${title}\n\n${lines.join('\n')}\n${list.length === 0 ? '(no components)\n' : ''}`;
}

export interface TopOptions {
  /** The agent's monitoring address, e.g. http://127.0.0.1:41414. */
  url: string;
  intervalMs: number;
  /** Print this many tables, then stop (the first one has rates); undefined: until interrupted. */
  iterations?: number;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** GET on a running agent's monitoring server; a connection failure becomes SLUICE_AGENT_UNREACHABLE. */
export async function fetchAgent(url: URL, signal: AbortSignal): Promise<Response> {
  return fetch(url, { signal }).catch((err: Error) => {
    throw new SluiceError('SLUICE_AGENT_UNREACHABLE', `Cannot reach ${url}: ${err.cause instanceof Error ? err.cause.message : err.message}.`, { cause: err });
  });
}

async function fetchSnapshot(url: URL): Promise<Snapshot> {
  const res = await fetchAgent(url, AbortSignal.timeout(5000));
  if (!res.ok) throw new SluiceError('SLUICE_AGENT_UNREACHABLE', `${url} answered ${res.status}; is the monitoring server on (--metrics-port)?`);
  return (await res.json()) as Snapshot;
}

/** Polls /metrics and redraws; resolves when `iterations` tables were printed or `signal` aborts. */
export async function top(o: TopOptions): Promise<void> {
  const url = new URL('/metrics', o.url);
  let prev: Snapshot | undefined;
  let at = 0;
  let printed = 0;
  // With a fixed number of tables, the first sample only sets the baseline, so every table has rates.
  let baseline = o.iterations !== undefined;
  while (!o.signal?.aborted) {
    let text: string;
    try {
      const cur = await fetchSnapshot(url);
      const now = performance.now();
      text = render(rows(prev, cur, (now - at) / 1000), `agent top: ${url} at ${new Date().toISOString()}, every ${o.intervalMs / 1000}s`);
      prev = cur;
      at = now;
    } catch (err) {
      if (o.iterations !== undefined) throw err;
      text = `agent top: cannot read ${url}: ${(err as Error).message}; retrying.\n`;
      prev = undefined;
    }
    if (!baseline) {
      o.out.write(o.out.isTTY ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
      printed++;
    }
    baseline = false;
    if (o.iterations !== undefined && printed >= o.iterations) return;
    await new Promise<void>((r) => {
      const timer = setTimeout(r, o.intervalMs);
      o.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          r();
        },
        { once: true },
      );
    });
  }
}
