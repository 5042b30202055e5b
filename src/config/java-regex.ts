/**
 * Java regular expressions (java.util.regex.Pattern, what Flume compiles) as JavaScript RegExps. Flume
 * users write Java syntax; what translates cheaply and exactly is translated, and what would silently
 * mean something else in JavaScript is refused with a message saying what to write instead.
 *
 * Translated: \Q…\E; \A \z \Z; `^`, `$` and `.` with Java's line terminators (and (?m), (?s)); \s \S
 * (ASCII whitespace, as in Java); \h \v \R and, outside classes, \H \V; \a \e \cX \0nnn \x{h…};
 * the POSIX classes \p{Alpha} etc. (ASCII, as in Java); Unicode categories, scripts (IsLatin,
 * script=Latin) and binary properties (IsAlphabetic); inline flags at the very start ((?i), (?s),
 * (?m), (?u)); a `]` first in a class, a lone `]` or `}`, escaped punctuation.
 * Refused: possessive quantifiers, atomic groups, inline flags elsewhere, (?x) (?d) (?U), class
 * intersection `&&` and nested classes, Unicode blocks (InGreek), java* classes, \G \X \N \b{g}.
 * Left as JavaScript does it: (?i) also folds non-ASCII letters (Java needs (?u) for that).
 */
import { SluiceError } from '../errors.ts';

export interface JavaRegexOptions {
  /** Compile with the `g` flag, for replace-all and split. */
  global?: boolean;
  /** Match the whole input (Matcher.matches()) rather than find a match in it. */
  fullMatch?: boolean;
}

const LT = '\\n\\r\\u0085\\u2028\\u2029';
const END = '(?![\\s\\S])';
const DOLLAR = `(?=(?:\\r\\n|[${LT}])?${END})(?!(?<=\\r)\\n)`;
const DOLLAR_M = `(?=[${LT}]|${END})(?!(?<=\\r)\\n)`;
const CARET_M = `(?:^|(?<=[${LT}])(?!(?<=\\r)\\n))(?=[\\s\\S])`;
const SPACE = ' \\t\\n\\x0B\\f\\r';
// What JavaScript's \s adds to Java's: Java's \S includes these, JavaScript's does not.
const JS_ONLY_SPACE = '\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
const HSPACE = ' \\t\\u00A0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const VSPACE = '\\n\\x0B\\f\\r\\u0085\\u2028\\u2029';
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: SPACE,
};
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

class Translation {
  private i = 0;
  private out = '';
  private groups = 0;
  ignoreCase = false;
  private dotAll = false;
  private multiline = false;

  constructor(private readonly p: string) {}

  run(): string {
    this.leadingFlags();
    while (this.i < this.p.length) this.atom();
    return this.out;
  }

  private fail(what: string): never {
    throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `expected a Java regular expression Sluice can run: ${what}`);
  }

  private leadingFlags(): void {
    const re = /\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/y;
    for (;;) {
      re.lastIndex = this.i;
      const m = re.exec(this.p);
      if (!m) return;
      for (const f of m[1]! + (m[2] ?? '')) {
        if (f === 'x' || f === 'd' || f === 'U') this.fail(`the inline flag (?${f}) is not supported`);
        if (!'isum'.includes(f)) this.fail(`(?${f}) is not a Java inline flag`);
      }
      this.ignoreCase ||= m[1]!.includes('i');
      this.dotAll ||= m[1]!.includes('s');
      this.multiline ||= m[1]!.includes('m');
      this.i = re.lastIndex;
    }
  }

  private atom(): void {
    const c = this.p[this.i]!;
    if (c === '\\') this.escape(false);
    else if (c === '[') this.charClass();
    else if (c === '(') this.group();
    else this.other(c);
  }

  private other(c: string): void {
    this.i++;
    if (c === '.') this.out += this.dotAll ? '[\\s\\S]' : `[^${LT}]`;
    else if (c === '$') this.out += this.multiline ? DOLLAR_M : DOLLAR;
    else if (c === '^') this.out += this.multiline ? CARET_M : '^';
    else if (c === '*' || c === '+' || c === '?') this.quantified(c);
    else if (c === '{') {
      const m = /\d+(?:,\d*)?\}/y;
      m.lastIndex = this.i;
      if (!m.exec(this.p)) this.fail(`a "{" that starts no repetition {n}, {n,} or {n,m}; write \\{ for a brace`);
      const q = `{${this.p.slice(this.i, m.lastIndex)}`;
      this.i = m.lastIndex;
      this.quantified(q);
    } else if (c === '}' || c === ']') this.out += `\\${c}`;
    else this.out += c;
  }

  private quantified(q: string): void {
    this.out += q;
    if (this.p[this.i] === '+') this.fail('possessive quantifiers (*+, ++, ?+, {n}+) are not supported; drop the last "+"');
  }

  private group(): void {
    const head = /\((?:\?(?:[:=!]|<[=!]|<[a-zA-Z][a-zA-Z0-9]*>)|(?!\?))/y;
    head.lastIndex = this.i;
    const m = head.exec(this.p);
    if (!m) {
      if (this.p.startsWith('(?>', this.i)) this.fail('atomic groups (?>…) are not supported');
      this.fail('inline flags are supported only at the very start of the pattern, as in (?i)error');
    }
    if (m[0] === '(' || /^\(\?<[a-zA-Z]/.test(m[0])) this.groups++;
    this.out += m[0];
    this.i = head.lastIndex;
  }

  private charClass(): void {
    this.out += '[';
    this.i++;
    if (this.p[this.i] === '^') {
      this.out += '^';
      this.i++;
    }
    let empty = true;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) this.fail('a character class is not closed with "]"');
      if (c === ']' && !empty) break;
      if (c === '[') this.fail('nested character classes are not supported; write \\[ for a bracket');
      if (c === '&' && this.p[this.i + 1] === '&') this.fail('character class intersection (&&) is not supported');
      empty = false;
      if (c === '\\') this.escape(true);
      else {
        this.out += c === ']' ? '\\]' : c;
        this.i++;
      }
    }
    this.out += ']';
    this.i++;
  }

  /** One escape sequence at `i` (the backslash), inside a character class or not. */
  private escape(inClass: boolean): void {
    const c = this.p[this.i + 1];
    if (c === undefined) this.fail('the pattern ends with a lone backslash');
    this.i += 2;
    const wrap = (chars: string) => (inClass ? chars : `[${chars}]`);
    const outside = (js: string) => (inClass ? this.fail(`\\${c} cannot stand inside a character class`) : js);
    switch (c) {
      case 'd': case 'D': case 'w': case 'W': case 't': case 'n': case 'r': case 'f':
        this.out += `\\${c}`;
        return;
      case 'a': this.out += '\\x07'; return;
      case 'e': this.out += '\\x1B'; return;
      case 's': this.out += wrap(SPACE); return;
      case 'S': this.out += inClass ? `\\S${JS_ONLY_SPACE}` : `[^${SPACE}]`; return;
      case 'h': this.out += wrap(HSPACE); return;
      case 'v': this.out += wrap(VSPACE); return;
      case 'H': this.out += outside(`[^${HSPACE}]`); return;
      case 'V': this.out += outside(`[^${VSPACE}]`); return;
      case 'R': this.out += outside(`(?:\\r\\n|[${VSPACE}])`); return;
      case 'A': this.out += outside('^'); return;
      case 'z': this.out += outside('$'); return;
      case 'Z': this.out += outside(DOLLAR); return;
      case 'B': this.out += outside('\\B'); return;
      case 'b':
        if (this.p[this.i] === '{') this.fail('\\b{g} is not supported');
        this.out += outside('\\b');
        return;
      case 'k': {
        const m = /<([a-zA-Z][a-zA-Z0-9]*)>/y;
        m.lastIndex = this.i;
        if (inClass || !m.exec(this.p)) this.fail('\\k must name a group, as in \\k<name>');
        this.out += `\\k${this.p.slice(this.i, m.lastIndex)}`;
        this.i = m.lastIndex;
        return;
      }
      case 'Q': {
        const end = this.p.indexOf('\\E', this.i);
        const text = this.p.slice(this.i, end < 0 ? undefined : end);
        for (const ch of text) this.out += this.literal(ch, inClass);
        this.i = end < 0 ? this.p.length : end + 2;
        return;
      }
      case 'p': case 'P':
        this.property(c === 'P', inClass);
        return;
      case 'c': {
        const x = this.p.codePointAt(this.i);
        if (x === undefined) this.fail('\\c must be followed by a character');
        this.out += `\\u{${(x ^ 64).toString(16)}}`;
        this.i += String.fromCodePoint(x).length;
        return;
      }
      case 'x':
        this.hex(/\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2})/y, '\\x must be followed by two hex digits or {hex}');
        return;
      case 'u':
        this.hex(/([0-9a-fA-F]{4})/y, '\\u must be followed by four hex digits');
        return;
      case '0':
        this.hex(/([0-3][0-7]{2}|[0-7]{1,2})/y, '\\0 must be followed by one to three octal digits', 8);
        return;
    }
    if (c >= '1' && c <= '9') {
      if (inClass) this.fail('back references cannot stand inside a character class');
      let ref = Number(c);
      while (/\d/.test(this.p[this.i] ?? '') && ref * 10 + Number(this.p[this.i]) <= this.groups) ref = ref * 10 + Number(this.p[this.i++]);
      this.out += `\\${ref}${/\d/.test(this.p[this.i] ?? '') ? '(?:)' : ''}`;
      return;
    }
    if (/[a-zA-Z]/.test(c)) this.fail(`\\${c} is not supported`);
    const cp = String.fromCodePoint(this.p.codePointAt(this.i - 1)!);
    this.i += cp.length - 1;
    this.out += this.literal(cp, inClass);
  }

  private hex(re: RegExp, problem: string, radix = 16): void {
    re.lastIndex = this.i;
    const m = re.exec(this.p);
    if (!m) this.fail(problem);
    const cp = Number.parseInt(m[1] ?? m[2]!, radix);
    if (cp > 0x10ffff) this.fail(`\\x{${m[1]}} is past the last Unicode code point`);
    this.out += `\\u{${cp.toString(16)}}`;
    this.i = re.lastIndex;
  }

  private literal(ch: string, inClass: boolean): string {
    return SYNTAX.has(ch) || (inClass && ch === '-') ? `\\${ch}` : ch;
  }

  private property(negated: boolean, inClass: boolean): void {
    let name: string;
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) this.fail('\\p{ is not closed with "}"');
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = this.p[this.i] ?? this.fail('\\p must name a property');
      this.i++;
    }
    const posix = POSIX[name];
    if (posix !== undefined) {
      if (!negated) this.out += inClass ? posix : `[${posix}]`;
      else this.out += inClass ? this.fail(`\\P{${name}} cannot stand inside a character class`) : `[^${posix}]`;
      return;
    }
    if (/^java/.test(name)) this.fail(`\\p{${name}} (java.lang.Character classes) is not supported`);
    if (/^(In|blk=|block=)/i.test(name)) this.fail(`\\p{${name}}: Unicode blocks are not supported; use a script such as \\p{IsGreek}`);
    const bare = name.replace(/^Is/, '').replace(/^(script|sc)=/i, 'Script=').replace(/^(general_category|gc)=/i, 'General_Category=');
    const js = [bare, `Script=${bare}`].find((x) => {
      try {
        return new RegExp(`\\p{${x}}`, 'u') !== undefined;
      } catch {
        return false;
      }
    });
    if (js === undefined) this.fail(`\\p{${name}} is not a Unicode property Sluice knows`);
    this.out += `\\${negated ? 'P' : 'p'}{${js}}`;
  }
}

/**
 * Compiles a Java pattern as Flume would, for JavaScript. Throws a SluiceError (SLUICE_CONFIG_BAD_VALUE)
 * whose message says what is wrong; config loading adds the file, line and key.
 */
export function javaRegex(pattern: string, o: JavaRegexOptions = {}): RegExp {
  const t = new Translation(pattern);
  const source = t.run();
  const flags = `u${t.ignoreCase ? 'i' : ''}${o.global ? 'g' : ''}`;
  try {
    return new RegExp(o.fullMatch ? `^(?:${source})$` : source, flags);
  } catch (err) {
    throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `expected a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
  }
}
