/**
 * Per-component counters with Flume's names (flume-config.md §8), so dashboards built on Flume's JSON
 * metrics keep working. Plain numeric fields: incrementing one costs nothing on the hot path; the
 * HTTP endpoints read them when scraped.
 */
export type CounterType = 'SOURCE' | 'CHANNEL' | 'SINK';

export abstract class ComponentCounter {
  abstract readonly type: CounterType;
  startTime = 0;
  stopTime = 0;
  constructor(readonly name: string) {}

  start(): void {
    this.reset();
    this.startTime = Date.now();
    this.stopTime = 0;
  }

  stop(): void {
    this.stopTime = Date.now();
  }

  protected abstract reset(): void;
  /** The attributes in Flume's order, numbers as numbers (the JSON view turns them into strings). */
  abstract values(): Record<string, number | string>;
}

export class SourceCounter extends ComponentCounter {
  readonly type = 'SOURCE';
  eventReceived = 0;
  eventAccepted = 0;
  appendReceived = 0;
  appendAccepted = 0;
  appendBatchReceived = 0;
  appendBatchAccepted = 0;
  openConnections = 0;
  eventReadFail = 0;
  channelWriteFail = 0;
  genericProcessingFail = 0;
  /** Sluice-specific: replay window of a source that waits for delivery. */
  awaitingAck = 0;
  oldestUnackedMs = 0;

  protected reset(): void {
    this.eventReceived = this.eventAccepted = this.appendReceived = this.appendAccepted = 0;
    this.appendBatchReceived = this.appendBatchAccepted = this.openConnections = 0;
    this.eventReadFail = this.channelWriteFail = this.genericProcessingFail = 0;
    this.awaitingAck = this.oldestUnackedMs = 0;
  }

  values(): Record<string, number | string> {
    return {
      Type: this.type,
      StartTime: this.startTime,
      StopTime: this.stopTime,
      EventReceivedCount: this.eventReceived,
      EventAcceptedCount: this.eventAccepted,
      AppendReceivedCount: this.appendReceived,
      AppendAcceptedCount: this.appendAccepted,
      AppendBatchReceivedCount: this.appendBatchReceived,
      AppendBatchAcceptedCount: this.appendBatchAccepted,
      OpenConnectionCount: this.openConnections,
      EventReadFail: this.eventReadFail,
      ChannelWriteFail: this.channelWriteFail,
      GenericProcessingFail: this.genericProcessingFail,
      EventsAwaitingAck: this.awaitingAck,
      OldestUnackedAgeMs: this.oldestUnackedMs,
    };
  }
}

export class ChannelCounter extends ComponentCounter {
  readonly type = 'CHANNEL';
  putAttempt = 0;
  putSuccess = 0;
  takeAttempt = 0;
  takeSuccess = 0;
  /** Read at scrape time. */
  size: () => number = () => 0;
  capacity: () => number = () => 0;

  protected reset(): void {
    this.putAttempt = this.putSuccess = this.takeAttempt = this.takeSuccess = 0;
  }

  values(): Record<string, number | string> {
    const size = this.size();
    const cap = this.capacity();
    return {
      Type: this.type,
      StartTime: this.startTime,
      StopTime: this.stopTime,
      ChannelSize: size,
      ChannelCapacity: cap,
      ChannelFillPercentage: cap > 0 ? (size * 100) / cap : Number.MAX_VALUE,
      EventPutAttemptCount: this.putAttempt,
      EventPutSuccessCount: this.putSuccess,
      EventTakeAttemptCount: this.takeAttempt,
      EventTakeSuccessCount: this.takeSuccess,
    };
  }
}

export class SinkCounter extends ComponentCounter {
  readonly type = 'SINK';
  connectionCreated = 0;
  connectionClosed = 0;
  connectionFailed = 0;
  batchEmpty = 0;
  batchUnderflow = 0;
  batchComplete = 0;
  drainAttempt = 0;
  drainSuccess = 0;
  eventWriteFail = 0;
  channelReadFail = 0;

  protected reset(): void {
    this.connectionCreated = this.connectionClosed = this.connectionFailed = 0;
    this.batchEmpty = this.batchUnderflow = this.batchComplete = 0;
    this.drainAttempt = this.drainSuccess = this.eventWriteFail = this.channelReadFail = 0;
  }

  values(): Record<string, number | string> {
    return {
      Type: this.type,
      StartTime: this.startTime,
      StopTime: this.stopTime,
      ConnectionCreatedCount: this.connectionCreated,
      ConnectionClosedCount: this.connectionClosed,
      ConnectionFailedCount: this.connectionFailed,
      BatchEmptyCount: this.batchEmpty,
      BatchUnderflowCount: this.batchUnderflow,
      BatchCompleteCount: this.batchComplete,
      EventDrainAttemptCount: this.drainAttempt,
      EventDrainSuccessCount: this.drainSuccess,
      EventWriteFail: this.eventWriteFail,
      ChannelReadFail: this.channelReadFail,
    };
  }
}

/** Every counter of a running agent, keyed `<TYPE>.<name>` as in Flume's JSON. */
export class MetricsRegistry {
  private readonly counters = new Map<string, ComponentCounter>();

  add<C extends ComponentCounter>(counter: C): C {
    this.counters.set(`${counter.type}.${counter.name}`, counter);
    return counter;
  }

  remove(counter: ComponentCounter): void {
    this.counters.delete(`${counter.type}.${counter.name}`);
  }

  all(): IterableIterator<[string, ComponentCounter]> {
    return this.counters.entries();
  }

  /** Flume's JSON shape: every value a string, doubles in Java's notation. */
  toFlumeJson(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [key, c] of this.counters) {
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(c.values())) attrs[k] = javaString(k, v);
      out[key] = attrs;
    }
    return out;
  }
}

function javaString(key: string, v: number | string): string {
  if (typeof v === 'string') return v;
  if (key === 'ChannelFillPercentage') {
    if (v === Number.MAX_VALUE) return '1.7976931348623157E308';
    return Number.isInteger(v) ? `${v}.0` : String(v);
  }
  return String(Math.trunc(v));
}
