/**
 * `regex_filter` interceptor (org.apache.flume.interceptor.RegexFilteringInterceptor$Builder): keeps
 * the events whose body contains a match of `regex` (Matcher.find(), not a whole-body match), or drops
 * them when `excludeEvents` is true.
 *
 * Deviation: Flume decodes the body with the JVM's default charset (the locale's, often but not always
 * UTF-8 on Java 17); Sluice always decodes UTF-8. With the default regex `.*`, which matches every body,
 * no body is decoded.
 */
import { javaRegex } from '../config/java-regex.ts';
import { opt } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';

const MATCHES_ALL = javaRegex('.*').source;

export const regexFilterInterceptor = defineInterceptor({
  type: 'regex_filter',
  flumeClass: 'org.apache.flume.interceptor.RegexFilteringInterceptor$Builder',
  description: 'Keeps (or, with excludeEvents, drops) the events whose body contains a match of a regex.',
  options: {
    regex: opt.regex('Searched for in the body, decoded as UTF-8.', { default: '.*' }),
    excludeEvents: opt.bool('Drop the matching events instead of keeping them.', { default: false }),
  },
  create({ regex, excludeEvents }) {
    if (regex.source === MATCHES_ALL) return { intercept: (events: Event[]) => (excludeEvents ? [] : events) };
    return {
      intercept(events: Event[]): Event[] {
        const kept: Event[] = [];
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          if (regex.test(e.body.toString('utf8')) !== excludeEvents) kept.push(e);
        }
        return kept;
      },
    };
  },
});
