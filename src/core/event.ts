/**
 * The unit that flows through an agent, as in Flume: string headers and an opaque body.
 * Events move in arrays (batches); nothing on the hot path wraps or copies them one by one.
 */
export type Headers = Record<string, string>;

export interface Event {
  headers: Headers;
  body: Buffer;
}

export function makeEvent(body: Buffer | string, headers: Headers = {}): Event {
  return { headers, body: typeof body === 'string' ? Buffer.from(body) : body };
}

/** Sum of body bytes of a batch (headers are not counted, as Flume's byteCapacity does not). */
export function bodyBytes(events: readonly Event[]): number {
  let n = 0;
  for (let i = 0; i < events.length; i++) n += events[i]!.body.length;
  return n;
}
