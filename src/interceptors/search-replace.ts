/**
 * `search_replace` interceptor (org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder):
 * replaces every match of `searchPattern` in the body (Matcher.replaceAll) by `replaceString`, in which
 * `$1` or `${name}` stand for a group, `$0` for the whole match and a backslash quotes the next
 * character, as in Java. The body is decoded and re-encoded with `charset`.
 *
 * Deviations: a replacement naming a group the pattern does not have is refused when the configuration
 * is loaded (Flume fails on every event instead); a body with no match keeps its bytes as they were
 * (Flume re-encodes it, which only differs for bytes that are not valid in the charset). `charset` is
 * one of UTF-8, ISO-8859-1, US-ASCII and UTF-16LE.
 */
import { opt, type OptionProblem, type OptionsOf } from '../config/schema.ts';
import { defineInterceptor } from '../core/component.ts';
import type { Event } from '../core/event.ts';
import { SluiceError } from '../errors.ts';

interface Codec {
  decode(body: Buffer): string;
  encode(text: string): Buffer;
}

// Java replaces what a charset cannot hold with U+FFFD when decoding and "?" when encoding.
const codecs: Record<OptionsOf<typeof options>['charset'], Codec> = {
  'UTF-8': { decode: (b) => b.toString('utf8'), encode: (s) => Buffer.from(s, 'utf8') },
  'ISO-8859-1': { decode: (b) => b.toString('latin1'), encode: (s) => Buffer.from(s.replace(/[^\x00-\xff]/gu, '?'), 'latin1') },
  'US-ASCII': { decode: (b) => b.toString('latin1').replace(/[\x80-\xff]/g, '\ufffd'), encode: (s) => Buffer.from(s.replace(/[^\x00-\x7f]/gu, '?'), 'latin1') },
  'UTF-16LE': { decode: (b) => b.toString('utf16le'), encode: (s) => Buffer.from(s, 'utf16le') },
};

const options = {
  searchPattern: opt.regex('The Java regex to replace in the body.', { required: true, global: true }),
  replaceString: opt.string('What each match becomes: $n inserts group n, $ and {name} a named group; a backslash quotes the next character.', { default: '' }),
  charset: opt.enum('The body charset.', ['UTF-8', 'ISO-8859-1', 'US-ASCII', 'UTF-16LE'], { default: 'UTF-8' }),
};

/** Java's Matcher replacement syntax as a String.prototype.replace pattern, checked against the pattern's groups. */
export function javaReplacement(replacement: string, pattern: RegExp): string {
  const probe = new RegExp(`${pattern.source}|`, pattern.flags.replace('g', '')).exec('')!;
  const groups = probe.length - 1;
  const fail = (what: string): never => {
    throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `expected a replacement that searchPattern can fill: ${what}`);
  };
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      if (++i === replacement.length) fail('it ends with a lone backslash (write \\\\ for one)');
      out += replacement[i] === '$' ? '$$' : replacement[i];
    } else if (c === '$') {
      const named = /^\{([a-zA-Z][a-zA-Z0-9]*)\}/.exec(replacement.slice(i + 1));
      const digit = replacement[i + 1] ?? '';
      if (named) {
        if (!probe.groups || !Object.hasOwn(probe.groups, named[1]!)) fail(`searchPattern has no group named "${named[1]}"`);
        out += `$<${named[1]}>`;
        i += named[0].length;
      } else if (digit >= '0' && digit <= '9') {
        // Java reads as many digits as still name an existing group.
        let ref = Number(replacement[++i]);
        while (/\d/.test(replacement[i + 1] ?? '') && ref * 10 + Number(replacement[i + 1]) <= groups) ref = ref * 10 + Number(replacement[++i]);
        if (ref > groups) fail(`$${ref} names group ${ref}, but searchPattern has ${groups} group${groups === 1 ? '' : 's'}`);
        out += ref === 0 ? '$&' : `$${String(ref).padStart(2, '0')}`;
      } else fail('a "$" must be followed by a group number or {name} (write \\$ for a dollar sign)');
    } else out += c === '$' ? '$$' : c;
  }
  return out;
}

function checkReplacement(o: OptionsOf<typeof options>): OptionProblem[] {
  try {
    javaReplacement(o.replaceString, o.searchPattern);
    return [];
  } catch (err) {
    return [{ code: 'SLUICE_CONFIG_BAD_VALUE', key: 'replaceString', value: o.replaceString, expected: (err as Error).message }];
  }
}

export const searchReplaceInterceptor = defineInterceptor({
  type: 'search_replace',
  flumeClass: 'org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder',
  description: 'Replaces every match of a regex in the body.',
  options,
  check: (o) => ({ errors: checkReplacement(o), warnings: [] }),
  create(o) {
    const pattern = o.searchPattern;
    const replacement = javaReplacement(o.replaceString, pattern);
    const codec = codecs[o.charset];
    return {
      intercept(events: Event[]): Event[] {
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          const text = codec.decode(e.body);
          const replaced = text.replace(pattern, replacement);
          if (replaced !== text) e.body = codec.encode(replaced);
        }
        return events;
      },
    };
  },
});
