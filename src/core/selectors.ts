/**
 * Channel selectors (Flume §3): decide which channels each event of a batch goes to. They return
 * per-channel batches; with the replicating selector every channel shares the caller's array.
 */
import type { Channel } from './channel.ts';
import type { Event } from './event.ts';

export interface Selection {
  required: Array<[Channel, Event[]]>;
  optional: Array<[Channel, Event[]]>;
}

export interface ChannelSelector {
  select(events: Event[]): Selection;
  /** Every channel this selector can write to as required, for wiring checks. */
  readonly channels: readonly Channel[];
}

export class ReplicatingSelector implements ChannelSelector {
  private readonly requiredList: readonly Channel[];

  constructor(
    readonly channels: readonly Channel[],
    private readonly optionalChannels: readonly Channel[] = [],
  ) {
    this.requiredList = channels.filter((c) => !optionalChannels.includes(c));
  }

  select(events: Event[]): Selection {
    return {
      required: this.requiredList.map((c) => [c, events]),
      optional: this.optionalChannels.map((c) => [c, events]),
    };
  }
}

export interface Route {
  required: readonly Channel[];
  optional: readonly Channel[];
}

export class MultiplexingSelector implements ChannelSelector {
  constructor(
    readonly channels: readonly Channel[],
    private readonly header: string,
    private readonly mapping: ReadonlyMap<string, Route>,
    /** Used when the header is missing, blank or unmapped. */
    private readonly fallback: Route,
  ) {}

  select(events: Event[]): Selection {
    const required = new Map<Channel, Event[]>();
    const optional = new Map<Channel, Event[]>();
    let last: string | undefined;
    let route = this.fallback;
    for (const e of events) {
      const v = e.headers[this.header];
      if (v !== last) {
        last = v;
        // Flume: an absent header means no optional channels even if a mapping has some.
        route = v === undefined ? { required: this.fallback.required, optional: [] } : (this.mapping.get(v) ?? this.fallback);
      }
      for (const c of route.required) push(required, c, e);
      for (const c of route.optional) push(optional, c, e);
    }
    return { required: [...required], optional: [...optional] };
  }
}

export class LoadBalancingSelector implements ChannelSelector {
  private next = 0;
  constructor(
    readonly channels: readonly Channel[],
    private readonly policy: 'round_robin' | 'random',
  ) {}

  select(events: Event[]): Selection {
    const required = new Map<Channel, Event[]>();
    const n = this.channels.length;
    for (const e of events) {
      const i = this.policy === 'random' ? Math.floor(Math.random() * n) : this.next++ % n;
      push(required, this.channels[i]!, e);
    }
    return { required: [...required], optional: [] };
  }
}

function push(m: Map<Channel, Event[]>, c: Channel, e: Event): void {
  const list = m.get(c);
  if (list) list.push(e);
  else m.set(c, [e]);
}
