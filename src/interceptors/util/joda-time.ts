/**
 * Parses text with a Joda-Time pattern (DateTimeFormat.forPattern(p).parseDateTime(text).getMillis(),
 * what Flume's RegexExtractorInterceptorMillisSerializer does) into epoch milliseconds.
 *
 * Supported letters: y / yyyy (year; yy is two digits pivoting on this year − 30, as Joda), Y (same as
 * y), M / MM (month number), MMM / MMMM (English month name, short or full), d (day), H (0–23),
 * k (1–24), h (1–12) and K (0–11) with a (AM/PM), m, s, S… (fraction of a second, as many digits as
 * letters), Z / ZZ (offset: "Z", +hh, +hhmm or +hh:mm), and literals (any other non-letter, or 'quoted'
 * text with '' for a quote), matched ignoring case as Joda does. Other letters are refused when the
 * pattern is loaded. As Joda, a number field reads one digit up to its width (a year up to 9 digits
 * unless a number follows), the whole text must be consumed, and fields left out default to
 * 1970-01-01T00:00:00.000. Without an offset in the text, the agent's time zone applies (Joda uses the
 * JVM's); a local time that falls in a daylight-saving gap is moved forward where Joda would refuse it.
 */
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTHS = new Map(MONTH_NAMES.flatMap((name, i) => [[name, i + 1], [name.slice(0, 3), i + 1]] as const));
const HALFDAYS = new Map([['am', 0], ['pm', 1]]);

/** Joda's TextField parse: the longest prefix (up to the longest name) that is a known name. */
function word(text: string, at: number, names: Map<string, number>, longest: number): [number, number] | undefined {
  for (let end = Math.min(text.length, at + longest); end > at; end--) {
    const v = names.get(text.slice(at, end).toLowerCase());
    if (v !== undefined) return [v, end];
  }
  return undefined;
}

type Field = 'year' | 'month' | 'day' | 'hour' | 'clockHour' | 'halfHour' | 'clockHalfHour' | 'minute' | 'second';
type Token =
  | { kind: 'number'; field: Field; maxDigits: number }
  | { kind: 'twoDigitYear'; lenient: boolean }
  | { kind: 'fraction'; maxDigits: number }
  | { kind: 'monthName' }
  | { kind: 'halfday' }
  | { kind: 'offset' }
  | { kind: 'literal'; text: string };

const NUMBER_LETTERS: Record<string, Field> = { y: 'year', Y: 'year', M: 'month', d: 'day', H: 'hour', k: 'clockHour', K: 'halfHour', h: 'clockHalfHour', m: 'minute', s: 'second' };
const RANGES: Record<Field, [number, number]> = { year: [-292275054, 292278993], month: [1, 12], day: [1, 31], hour: [0, 23], clockHour: [1, 24], halfHour: [0, 11], clockHalfHour: [1, 12], minute: [0, 59], second: [0, 59] };

/** Splits a pattern into runs of one letter, quoted or other literal text (Joda's parseToken). */
function lex(pattern: string): string[] {
  const runs: string[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    let j = i + 1;
    if (/[a-zA-Z]/.test(c)) while (pattern[j] === c) j++;
    else if (c === "'") {
      let text = '';
      for (;; j++) {
        if (j >= pattern.length) throw new Error('a quote in the pattern is not closed');
        if (pattern[j] === "'" && pattern[j + 1] === "'") {
          text += "'";
          j++;
        } else if (pattern[j] === "'") break;
        else text += pattern[j];
      }
      j++;
      runs.push(j === i + 2 ? "''" : `'${text}`);
      i = j;
      continue;
    } else while (j < pattern.length && !/[a-zA-Z']/.test(pattern[j]!)) j++;
    runs.push(pattern.slice(i, j));
    i = j;
  }
  return runs;
}

const numeric = (run: string | undefined) => run !== undefined && /^[yYMdHkKhmsS]/.test(run) && !/^M{3}/.test(run);

export class JodaPattern {
  private readonly tokens: Token[];
  private readonly pivot = new Date().getFullYear() - 30;

  /** Throws an Error saying what is wrong with the pattern. */
  constructor(readonly pattern: string) {
    const runs = lex(pattern);
    this.tokens = runs.map((run, i) => {
      const c = run[0]!;
      const n = run.length;
      if (c === "'") return { kind: 'literal', text: run === "''" ? "'" : run.slice(1) };
      if (!/[a-zA-Z]/.test(c)) return { kind: 'literal', text: run };
      if ((c === 'y' || c === 'Y') && n === 2) return { kind: 'twoDigitYear', lenient: !numeric(runs[i + 1]) };
      if (c === 'y' || c === 'Y') return { kind: 'number', field: 'year', maxDigits: numeric(runs[i + 1]) ? n : 9 };
      if (c === 'M' && n >= 3) return { kind: 'monthName' };
      if (c === 'S') return { kind: 'fraction', maxDigits: n };
      if (c === 'a') return { kind: 'halfday' };
      if (c === 'Z' && n <= 2) return { kind: 'offset' };
      const field = NUMBER_LETTERS[c];
      if (field === undefined) throw new Error(`the pattern letter "${c}" is not supported; supported: y M d H k h K a m s S Z and literals`);
      return { kind: 'number', field, maxDigits: Math.max(n, 2) };
    });
  }

  /** Epoch milliseconds, or undefined when the text does not fit the pattern (Joda would throw). */
  parse(text: string): number | undefined {
    const f: Record<Field, number | undefined> = { year: undefined, month: undefined, day: undefined, hour: undefined, clockHour: undefined, halfHour: undefined, clockHalfHour: undefined, minute: undefined, second: undefined };
    let millis = 0;
    let pm = false;
    let offset: number | undefined;
    let at = 0;
    for (const t of this.tokens) {
      if (t.kind === 'literal') {
        if (text.slice(at, at + t.text.length).toLowerCase() !== t.text.toLowerCase()) return undefined;
        at += t.text.length;
      } else if (t.kind === 'monthName' || t.kind === 'halfday') {
        const found = t.kind === 'monthName' ? word(text, at, MONTHS, 9) : word(text, at, HALFDAYS, 2);
        if (found === undefined) return undefined;
        if (t.kind === 'halfday') pm = found[0] === 1;
        else f.month = found[0];
        at = found[1];
      } else if (t.kind === 'offset') {
        const m = /^(?:(z)|([+-])(\d\d)(?::?(\d\d))?)/i.exec(text.slice(at));
        if (!m || Number(m[3] ?? 0) > 23 || Number(m[4] ?? 0) > 59) return undefined;
        offset = m[1] ? 0 : (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4] ?? 0)) * 60_000;
        at += m[0].length;
      } else {
        const max = t.kind === 'twoDigitYear' ? (t.lenient ? 9 : 2) : t.maxDigits;
        let end = at;
        while (end < text.length && end - at < max && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
        if (end === at) return undefined;
        const digits = text.slice(at, end);
        at = end;
        if (t.kind === 'fraction') millis = Number(digits.padEnd(3, '0').slice(0, 3));
        else if (t.kind === 'twoDigitYear' && digits.length === 2) f.year = this.twoDigitYear(Number(digits));
        else f[t.kind === 'twoDigitYear' ? 'year' : t.field] = Number(digits);
      }
    }
    if (at !== text.length) return undefined;
    for (const k of Object.keys(f) as Field[]) {
      const v = f[k];
      if (v !== undefined && (v < RANGES[k][0] || v > RANGES[k][1])) return undefined;
    }
    return this.toMillis(f, pm, millis, offset);
  }

  private twoDigitYear(yy: number): number {
    const low = this.pivot - 50;
    const t = low >= 0 ? low % 100 : 99 + ((low + 1) % 100);
    return yy + low + (yy < t ? 100 : 0) - t;
  }

  private toMillis(f: Record<Field, number | undefined>, pm: boolean, millis: number, offset: number | undefined): number | undefined {
    const year = f.year ?? 1970;
    const month = (f.month ?? 1) - 1;
    const day = f.day ?? 1;
    const half = f.clockHalfHour !== undefined ? f.clockHalfHour % 12 : f.halfHour;
    const hour = f.hour ?? (f.clockHour !== undefined ? f.clockHour % 24 : half !== undefined ? half + (pm ? 12 : 0) : 0);
    const d = new Date(0);
    d.setUTCFullYear(year, month + 1, 0);
    if (day > d.getUTCDate()) return undefined;
    if (offset === undefined) {
      d.setFullYear(year, month, day);
      d.setHours(hour, f.minute ?? 0, f.second ?? 0, millis);
      return d.getTime();
    }
    d.setUTCFullYear(year, month, day);
    d.setUTCHours(hour, f.minute ?? 0, f.second ?? 0, millis);
    return d.getTime() - offset;
  }
}
