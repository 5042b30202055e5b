/**
 * `remove_header` interceptor (org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder): removes
 * the header `withName`, every header named in `fromList` (split on the regex `fromListSeparator`, as
 * Java's String.split does), and every header whose whole name matches the regex `matching`.
 */
import { opt } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';

/** Java's String.split(regex) for a list of names: capture groups do not become items, empty items go. */
function splitList(text: string, separator: RegExp): string[] {
  const items: string[] = [];
  let from = 0;
  for (const m of text.matchAll(separator)) {
    if (m[0] === '' && m.index === 0) continue;
    items.push(text.slice(from, m.index));
    from = m.index + m[0].length;
  }
  items.push(text.slice(from));
  return items.filter((x) => x !== '');
}

export const removeHeaderInterceptor = defineInterceptor({
  type: 'remove_header',
  flumeClass: 'org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder',
  description: 'Removes headers by name, from a list, or by a regex on the name.',
  options: {
    withName: opt.string('A header to remove.'),
    fromList: opt.string('Headers to remove, separated by fromListSeparator.'),
    fromListSeparator: opt.regex('The regex separating the names in fromList.', { default: '\\s*,\\s*', global: true }),
    matching: opt.regex('Removes every header whose whole name matches this regex.', { fullMatch: true }),
  },
  create(o) {
    const names = [...new Set([...(o.withName === undefined ? [] : [o.withName]), ...(o.fromList === undefined ? [] : splitList(o.fromList, o.fromListSeparator))])];
    const matching = o.matching;
    return {
      intercept(events: Event[]): Event[] {
        for (let i = 0; i < events.length; i++) {
          const headers = events[i]!.headers;
          for (let n = 0; n < names.length; n++) if (Object.hasOwn(headers, names[n]!)) delete headers[names[n]!];
          if (matching === undefined) continue;
          for (const name in headers) if (matching.test(name)) delete headers[name];
        }
        return events;
      },
    };
  },
});
