/**
 * `uuid` interceptor (org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder, from Flume's
 * morphline Solr sink jar): sets a header to `prefix` followed by a random (version 4) UUID. Flume has no
 * short name for it; Sluice also accepts `uuid`.
 */
import { randomUUID } from 'node:crypto';
import { opt } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';

export const uuidInterceptor = defineInterceptor({
  type: 'uuid',
  flumeClass: 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder',
  description: 'Sets a header to a random UUID, for de-duplication downstream.',
  options: {
    headerName: opt.string('The header to set.', { default: 'id' }),
    preserveExisting: opt.bool('Leave events that already have the header as they are.', { default: true }),
    prefix: opt.string('Text put before the UUID.', { default: '' }),
  },
  create: ({ headerName, preserveExisting, prefix }) => ({
    intercept(events: Event[]): Event[] {
      for (let i = 0; i < events.length; i++) {
        const headers = events[i]!.headers;
        if (!preserveExisting || !Object.hasOwn(headers, headerName)) headers[headerName] = prefix + randomUUID();
      }
      return events;
    },
  }),
});
