/**
 * How a source writes (Flume's ChannelProcessor): interceptors, then the selector, then one put
 * transaction per required channel in turn. As in Flume this is not atomic across channels: if the
 * second channel fails, the first has committed and the source's retry duplicates there. Optional
 * channel failures are logged and ignored.
 *
 * Each batch returns an AckToken that resolves when the sinks have delivered what the required
 * non-durable channels accepted.
 */
import { AckToken } from './ack.ts';
import { type Channel, withTransaction } from './channel.ts';
import type { Event } from './event.ts';
import type { Interceptor } from './interceptor.ts';
import type { Logger } from './logger.ts';
import type { ChannelSelector } from './selectors.ts';

export class ChannelProcessor {
  private readonly intercepted = new WeakMap<Event[], Event[]>();
  constructor(
    readonly selector: ChannelSelector,
    private readonly interceptor: Interceptor | undefined,
    private readonly logger: Logger,
  ) {}

  /**
   * Set only while `agent tap` watches this source or one of its channels: called with each batch the
   * source put (no channel) and with each channel's share once committed. Unset, it costs one check.
   */
  tap: ((events: Event[], channel?: Channel) => void) | undefined;

  /**
   * Puts a batch. Resolves once every required channel committed; rejects (typically with
   * SLUICE_CHANNEL_FULL) so the source can back off and retry the same batch.
   */
  async processBatch(events: Event[]): Promise<AckToken> {
    const token = new AckToken();
    // A source retries a refused batch with the same array: reuse what the interceptors made of it
    // rather than running them again over events they already changed in place.
    const retried = this.intercepted.get(events);
    const out = retried ?? (this.interceptor ? this.interceptor.intercept(events) : events);
    if (retried) this.intercepted.delete(events);
    try {
      if (out.length > 0) await this.put(out, token);
    } catch (err) {
      this.intercepted.set(events, out);
      throw err;
    }
    token.seal();
    return token;
  }

  private async put(out: Event[], token: AckToken): Promise<void> {
    const { required, optional } = this.selector.select(out);
    for (const [channel, batch] of required) {
      const held = channel.durable ? null : token;
      await withTransaction(channel.beginPut(), (tx) => tx.put(batch, held));
      if (this.tap) this.tap(batch, channel);
    }
    for (const [channel, batch] of optional) {
      try {
        await withTransaction(channel.beginPut(), (tx) => tx.put(batch, null));
        if (this.tap) this.tap(batch, channel);
      } catch (err) {
        this.logger.warn({ channel: channel.name, err }, 'Optional channel refused a batch; it is skipped.');
      }
    }
    if (this.tap) this.tap(out);
  }

  /** Initializes the interceptors; the agent awaits it before starting the source. */
  async initialize(): Promise<void> {
    await this.interceptor?.initialize?.();
  }

  close(): void {
    this.interceptor?.close?.();
  }
}
