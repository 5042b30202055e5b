/**
 * `timestamp` interceptor (org.apache.flume.interceptor.TimestampInterceptor$Builder): sets a header to
 * the agent's clock in epoch milliseconds, as a decimal string. The header is named by `headerName`;
 * Flume has no `header` key, so a `header` line is reported as an unknown key rather than ignored.
 * The clock is read once per batch (Flume reads it per event, within the same millisecond or so).
 */
import { opt } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import { putHeader } from './util/put-header.ts';

export const timestampInterceptor = defineInterceptor({
  type: 'timestamp',
  flumeClass: 'org.apache.flume.interceptor.TimestampInterceptor$Builder',
  description: 'Sets a header to the time the event passed the agent, in epoch milliseconds.',
  options: {
    headerName: opt.string('The header to set.', { default: 'timestamp' }),
    preserveExisting: opt.bool('Leave events that already have the header as they are.', { default: false }),
  },
  create: (o) => ({ intercept: (events) => putHeader(events, o.headerName, String(Date.now()), o.preserveExisting) }),
});
