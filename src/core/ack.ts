/**
 * End-to-end acknowledgements, kept per batch rather than per event.
 *
 * A source's put batch gets one AckToken. Every non-durable required channel that commits part of the
 * batch holds the token for that many events; each sink take-commit releases what it drained. The token
 * resolves once the batch is sealed (all puts done) and nothing is held. Durable channels never hold it:
 * an event on disk or in Kafka is already safe. Events dropped by interceptors are never held, so they
 * count as delivered.
 */
export class AckToken {
  private held = 0;
  private sealed = false;
  private resolved = false;
  private waiter: (() => void) | undefined;
  private promise: Promise<void> | undefined;
  readonly createdAt = Date.now();

  hold(n: number): void {
    this.held += n;
  }

  release(n: number): void {
    this.held -= n;
    if (this.sealed && this.held <= 0) this.resolve();
  }

  /** Called once every channel put of the batch has committed. */
  seal(): void {
    this.sealed = true;
    if (this.held <= 0) this.resolve();
  }

  get isDelivered(): boolean {
    return this.resolved;
  }

  /** Resolves when every event of the batch has been committed by the sinks that drain it. */
  get delivered(): Promise<void> {
    if (this.resolved) return Promise.resolve();
    this.promise ??= new Promise<void>((r) => {
      this.waiter = r;
    });
    return this.promise;
  }

  private resolve(): void {
    if (this.resolved) return;
    this.resolved = true;
    this.waiter?.();
  }
}

interface Pending<P> {
  position: P;
  token: AckToken;
  events: number;
}

/**
 * A replayable source's window of batches put but not yet delivered. Batches complete out of order
 * (fan-out, load balancing); the checkpoint only advances to the end of the longest delivered prefix,
 * so a crash replays from the first undelivered batch: duplicates are possible, loss is not.
 */
export class AckWindow<P> {
  private readonly queue: Pending<P>[] = [];
  private head = 0;
  private eventsPending = 0;
  private roomWaiters: Array<() => void> = [];

  constructor(private readonly onAdvance: (position: P) => void) {}

  /** Records a batch in read order; `position` is where reading resumes once it is delivered. */
  add(position: P, token: AckToken, events: number): void {
    const entry: Pending<P> = { position, token, events };
    this.queue.push(entry);
    this.eventsPending += events;
    if (token.isDelivered) this.advance();
    else void token.delivered.then(() => this.advance());
  }

  get pendingBatches(): number {
    return this.queue.length - this.head;
  }

  get pendingEvents(): number {
    return this.eventsPending;
  }

  /** Age in ms of the oldest batch still waiting, or 0. */
  oldestAgeMs(now = Date.now()): number {
    const first = this.queue[this.head];
    return first ? now - first.token.createdAt : 0;
  }

  /** Resolves once at most `maxEvents` events are pending (bounds a source's replay window). */
  async waitForRoom(maxEvents: number): Promise<void> {
    while (this.eventsPending > maxEvents) {
      await new Promise<void>((r) => this.roomWaiters.push(r));
    }
  }

  /** Resolves when everything added so far is delivered. */
  async drained(): Promise<void> {
    await this.waitForRoom(0);
  }

  private advance(): void {
    let last: Pending<P> | undefined;
    while (this.head < this.queue.length && this.queue[this.head]!.token.isDelivered) {
      last = this.queue[this.head]!;
      this.head++;
      this.eventsPending -= last.events;
    }
    if (!last) return;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.onAdvance(last.position);
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}
