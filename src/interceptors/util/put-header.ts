/** The one loop behind Flume's header-setting interceptors (timestamp, host, static). */
import type { Event } from '../../core/event.ts';

/** Sets `name` to `value` on every event; with `preserveExisting`, an event that has the header keeps it. */
export function putHeader(events: Event[], name: string, value: string, preserveExisting: boolean): Event[] {
  for (let i = 0; i < events.length; i++) {
    const headers = events[i]!.headers;
    if (!preserveExisting || !Object.hasOwn(headers, name)) headers[name] = value;
  }
  return events;
}
