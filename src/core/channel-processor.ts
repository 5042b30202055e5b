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
import { withTransaction } from './channel.ts';
import type { Event } from './event.ts';
import type { Interceptor } from './interceptor.ts';
import type { Logger } from './logger.ts';
import type { ChannelSelector } from './selectors.ts';

export class ChannelProcessor {
  constructor(
    readonly selector: ChannelSelector,
    private readonly interceptor: Interceptor | undefined,
    private readonly logger: Logger,
  ) {}

  /**
   * Puts a batch. Resolves once every required channel committed; rejects (typically with
   * SLUICE_CHANNEL_FULL) so the source can back off and retry the same batch.
   */
  async processBatch(events: Event[]): Promise<AckToken> {
    const token = new AckToken();
    const out = this.interceptor ? this.interceptor.intercept(events) : events;
    if (out.length > 0) {
      const { required, optional } = this.selector.select(out);
      for (const [channel, batch] of required) {
        const held = channel.durable ? null : token;
        await withTransaction(channel.beginPut(), (tx) => tx.put(batch, held));
      }
      for (const [channel, batch] of optional) {
        try {
          await withTransaction(channel.beginPut(), (tx) => tx.put(batch, null));
        } catch (err) {
          this.logger.warn({ channel: channel.name, err }, 'Optional channel refused a batch; it is skipped.');
        }
      }
    }
    token.seal();
    return token;
  }

  /** Initializes the interceptors; the agent awaits it before starting the source. */
  async initialize(): Promise<void> {
    await this.interceptor?.initialize?.();
  }

  close(): void {
    this.interceptor?.close?.();
  }
}
