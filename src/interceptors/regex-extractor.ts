/**
 * `regex_extractor` interceptor (org.apache.flume.interceptor.RegexExtractorInterceptor$Builder): finds
 * the first match of `regex` in the body (decoded as UTF-8, as Flume does) and puts capture group i into
 * the header named by the i-th serializer of `serializers`; groups beyond the serializers are ignored.
 * A serializer's `type` is omitted or `DEFAULT` (the text as it is), Flume's pass-through class, or
 * org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer with a Joda-Time `pattern`
 * (epoch milliseconds; what is supported is in util/joda-time.ts).
 *
 * Deviations: `type = default` in lower case is accepted (Flume takes it for a class name and fails,
 * though its guide spells it so); other serializer classes cannot be loaded and are refused. A group
 * that took no part in the match sets no header (Flume puts a null value). A value the millis pattern
 * cannot parse sets no header and is logged (Flume fails the whole batch, again on every retry).
 */
import { didYouMean, opt, type OptionProblem, type OptionsOf } from '../config/schema.ts';
import { type ComponentContext, defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import type { Interceptor } from '../core/interceptor.ts';
import { SluiceError } from '../errors.ts';
import { JodaPattern } from './util/joda-time.ts';

const MILLIS = 'org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer';
const PASS_THROUGH = 'org.apache.flume.interceptor.RegexExtractorInterceptorPassThroughSerializer';
const WARN_EVERY_MS = 10_000;

const options = {
  regex: opt.regex('Searched for in the body; its capture groups feed the serializers in order.', { required: true }),
  serializers: opt.list('Names of the serializers, one per capture group, in group order.', { required: true }),
  serializerProps: opt.prefix('serializers.<s>.name (the header to set, required), serializers.<s>.type, serializers.<s>.pattern.', { under: 'serializers' }),
};

interface Serializer {
  header: string;
  /** Absent for pass-through. */
  millis?: JodaPattern;
}

/** The Joda pattern of a millis serializer; undefined for pass-through or when `problems` got an error. */
function millisPattern(s: string, props: Readonly<Record<string, string>>, problems: OptionProblem[]): JodaPattern | undefined {
  const key = (k: string) => `serializers.${s}.${k}`;
  const type = props[`${s}.type`];
  const pattern = props[`${s}.pattern`];
  if (type === undefined || type.toLowerCase() === 'default' || type === PASS_THROUGH) return undefined;
  if (type !== MILLIS) {
    problems.push({ code: 'SLUICE_CONFIG_BAD_VALUE', key: key('type'), value: type, expected: `expected DEFAULT (the text as it is) or ${MILLIS}; other serializer classes cannot be loaded` });
  } else if (pattern === undefined) {
    problems.push({ code: 'SLUICE_CONFIG_MISSING_KEY', key: key('pattern'), expected: 'is required: the Joda-Time pattern of the text, e.g. yyyy-MM-dd HH:mm:ss' });
  } else {
    try {
      return new JodaPattern(pattern);
    } catch (err) {
      problems.push({ code: 'SLUICE_CONFIG_BAD_VALUE', key: key('pattern'), value: pattern, expected: `expected a Joda-Time pattern Sluice supports: ${(err as Error).message}` });
    }
  }
  return undefined;
}

/** The serializers as configured, with what is wrong (keys relative to the interceptor). */
function serializers(o: OptionsOf<typeof options>): { list: Serializer[]; errors: OptionProblem[]; warnings: OptionProblem[] } {
  const errors: OptionProblem[] = [];
  const warnings: OptionProblem[] = [];
  const props = o.serializerProps;
  const list = o.serializers.map((s): Serializer => {
    const header = props[`${s}.name`];
    if (header === undefined) errors.push({ code: 'SLUICE_CONFIG_MISSING_KEY', key: `serializers.${s}.name`, expected: `is required: the header that serializer "${s}" sets` });
    return { header: header ?? '', millis: millisPattern(s, props, errors) };
  });
  for (const k of Object.keys(props)) {
    const dot = k.indexOf('.');
    const s = dot < 0 ? k : k.slice(0, dot);
    const sub = dot < 0 ? '' : k.slice(dot + 1);
    const known = props[`${s}.type`] === MILLIS ? ['name', 'type', 'pattern'] : ['name', 'type'];
    if (!o.serializers.includes(s)) {
      warnings.push({ code: 'SLUICE_CONFIG_UNKNOWN_COMPONENT', key: `serializers.${k}`, expected: `configures serializer "${s}", which serializers does not list; ignored` });
    } else if (!known.includes(sub)) {
      errors.push({ code: 'SLUICE_CONFIG_UNKNOWN_KEY', key: `serializers.${k}`, value: props[k], expected: `unknown key for a serializer${didYouMean(sub, known)}` });
    }
  }
  return { list, errors, warnings };
}

class RegexExtractorInterceptor implements Interceptor {
  private unparsed = 0;
  private lastWarn = 0;

  constructor(
    private readonly regex: RegExp,
    private readonly list: Serializer[],
    private readonly ctx: ComponentContext,
  ) {}

  intercept(events: Event[]): Event[] {
    let bad: string | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const m = this.regex.exec(e.body.toString('utf8'));
      if (m === null) continue;
      const n = Math.min(m.length - 1, this.list.length);
      for (let g = 0; g < n; g++) {
        const text = m[g + 1];
        if (text === undefined) continue;
        const s = this.list[g]!;
        if (s.millis === undefined) e.headers[s.header] = text;
        else {
          const millis = s.millis.parse(text);
          if (millis !== undefined) e.headers[s.header] = String(millis);
          else {
            bad = text;
            this.unparsed++;
          }
        }
      }
    }
    if (bad !== undefined) this.warnUnparsed(bad);
    return events;
  }

  // Bad values tend to come in floods; one line per interval says how many.
  private warnUnparsed(example: string): void {
    const now = Date.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.ctx.logger.warn({ values: this.unparsed, example }, `${this.unparsed} extracted value(s), such as "${example}", did not fit their serializer's pattern; their headers were not set.`);
    this.lastWarn = now;
    this.unparsed = 0;
  }
}

export const regexExtractorInterceptor = defineInterceptor({
  type: 'regex_extractor',
  flumeClass: 'org.apache.flume.interceptor.RegexExtractorInterceptor$Builder',
  description: "Copies a regex's capture groups from the body into headers, optionally parsing dates.",
  options,
  check: (o) => serializers(o),
  create(o, ctx) {
    const { list, errors } = serializers(o);
    if (errors.length > 0) throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `Interceptor "${ctx.name}": ${errors[0]!.key} ${errors[0]!.expected}`);
    return new RegexExtractorInterceptor(o.regex, list, ctx);
  },
});
