/** What the producer and consumer adapters share about `@platformatic/kafka`: base options and errors. */
import type { BaseOptions } from '@platformatic/kafka';
import type { CommonSettings } from './settings.ts';

/** The options every client takes; undefined values leave the library's defaults in place. */
export function baseOptions(brokers: string[], s: CommonSettings, clientId: string): BaseOptions {
  const o: BaseOptions = { clientId: s.clientId ?? clientId, bootstrapBrokers: brokers };
  if (s.tls) o.tls = s.tls;
  if (s.sasl) o.sasl = s.sasl;
  if (s.timeout !== undefined) o.timeout = s.timeout;
  if (s.retries !== undefined) o.retries = s.retries;
  if (s.retryDelay !== undefined) o.retryDelay = s.retryDelay;
  if (s.metadataMaxAge !== undefined) o.metadataMaxAge = s.metadataMaxAge;
  if (s.connectTimeout !== undefined) o.connectTimeout = s.connectTimeout;
  return o;
}

/**
 * The library nests errors (a retried request holds one error per attempt, each with causes); a
 * person wants the distinct innermost messages, e.g. "connect ECONNREFUSED 127.0.0.1:9092".
 */
export function reason(err: unknown): string {
  const leaves = new Set<string>();
  const visit = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > 6) {
      if (e !== undefined) leaves.add(String(e));
      return;
    }
    const nested = [...(e instanceof AggregateError ? e.errors : []), ...(e.cause === undefined ? [] : [e.cause])];
    if (nested.length === 0) leaves.add(e.message);
    else for (const n of nested) visit(n, depth + 1);
  };
  visit(err, 0);
  return [...leaves].join('; ');
}
