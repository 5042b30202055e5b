/**
 * Flume's escape sequences for `hdfs.path` and `hdfs.filePrefix` (org.apache.flume.formatter.output.
 * BucketPath): `%{header}`, `%[localhost]`/`%[IP]`/`%[FQDN]`, and the strftime-like time escapes with
 * optional rounding (`hdfs.round*`) in `hdfs.timeZone`. A template is parsed once into parts; time
 * fields are computed once per distinct second, since the events of a batch mostly share a few.
 * Deviation: the weekday, month and am/pm names are English, where Flume uses the JVM's locale.
 */
import { SluiceError } from '../../errors.ts';
import type { Headers } from '../../core/event.ts';

export interface HostInfo {
  localhost: string;
  ip: string;
  fqdn: string;
}

export type RoundUnit = 'second' | 'minute' | 'hour';

export interface TimeSettings {
  /** IANA zone id; undefined: the process's zone (Flume: the JVM default). */
  timeZone: string | undefined;
  /** Round event times down to a multiple of `value` units before formatting. */
  round: { unit: RoundUnit; value: number } | undefined;
  /** Use the agent's clock instead of the `timestamp` header. */
  useLocalTimeStamp: boolean;
}

type Part = string | { header: string } | { time: string };

const ESCAPE = /%(\w|%)|%\{([\w.-]+)\}|%\[(\w+)\]/g;

/** An event whose time escapes cannot be resolved: no (numeric) `timestamp` header. */
export class MissingTimestamp extends Error {}

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  wd: string;
  offsetMin: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Calendar fields of instants in one zone, memoised for the last second asked. */
export class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat;
  private cachedSecond = Number.NaN;
  private cached: Fields | undefined;

  constructor(timeZone: string | undefined) {
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'long',
      });
    } catch (err) {
      throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `hdfs.timeZone "${timeZone}" is not a time zone id (such as UTC or Europe/Paris).`, { cause: err });
    }
  }

  fields(ms: number): Fields {
    const second = Math.floor(ms / 1000);
    if (second === this.cachedSecond) return this.cached!;
    const p: Record<string, string> = {};
    for (const { type, value } of this.fmt.formatToParts(second * 1000)) p[type] = value;
    const f: Fields = { y: +p['year']!, mo: +p['month']!, d: +p['day']!, h: +p['hour']!, mi: +p['minute']!, s: +p['second']!, wd: p['weekday']!, offsetMin: 0 };
    f.offsetMin = Math.round((Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s) - second * 1000) / 60_000);
    this.cachedSecond = second;
    this.cached = f;
    return f;
  }

  /** Flume's TimestampRoundDownUtil: zero the smaller fields and floor the unit to a multiple. */
  roundDown(ms: number, unit: RoundUnit, value: number): number {
    const f = this.fields(ms);
    const millis = ((ms % 1000) + 1000) % 1000;
    const within = unit === 'second' ? f.s % value : unit === 'minute' ? (f.mi % value) * 60 + f.s : (f.h % value) * 3600 + f.mi * 60 + f.s;
    return ms - millis - within * 1000;
  }
}

function formatTime(code: string, ms: number, f: Fields, raw: string | undefined): string {
  switch (code) {
    case 't':
      return raw ?? String(ms);
    case 's':
      return String(Math.floor(ms / 1000));
    case 'a':
      return f.wd.slice(0, 3);
    case 'A':
      return f.wd;
    case 'b':
      return MONTHS[f.mo - 1]!.slice(0, 3);
    case 'B':
      return MONTHS[f.mo - 1]!;
    case 'c':
      return `${f.wd.slice(0, 3)} ${MONTHS[f.mo - 1]!.slice(0, 3)} ${f.d} ${pad(f.h)}:${pad(f.mi)}:${pad(f.s)} ${f.y}`;
    case 'd':
      return pad(f.d);
    case 'e':
      return String(f.d);
    case 'D':
      return `${pad(f.mo)}/${pad(f.d)}/${pad(f.y % 100)}`;
    case 'H':
      return pad(f.h);
    case 'k':
      return String(f.h);
    case 'I':
      return pad(f.h % 12 || 12);
    case 'l':
      return String(f.h % 12 || 12);
    case 'j':
      return pad(Math.round((Date.UTC(f.y, f.mo - 1, f.d) - Date.UTC(f.y, 0, 1)) / 86_400_000) + 1, 3);
    case 'm':
      return pad(f.mo);
    case 'n':
      return String(f.mo);
    case 'M':
      return pad(f.mi);
    case 'S':
      return pad(f.s);
    case 'p':
      return f.h < 12 ? 'AM' : 'PM';
    case 'y':
      return pad(f.y % 100);
    case 'Y':
      return String(f.y);
    case 'z': {
      const a = Math.abs(f.offsetMin);
      return `${f.offsetMin < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
    }
    default:
      return '';
  }
}

/** One escaped template (`hdfs.path`, `hdfs.filePrefix`), parsed once. */
export class PathTemplate {
  private readonly parts: Part[] = [];
  readonly usesTime: boolean;
  readonly isConstant: boolean;

  constructor(readonly template: string, host: HostInfo) {
    let last = 0;
    for (const m of template.matchAll(ESCAPE)) {
      if (m.index > last) this.parts.push(template.slice(last, m.index));
      last = m.index + m[0].length;
      if (m[1] === '%') this.parts.push('%');
      else if (m[1] !== undefined) this.parts.push({ time: m[1] });
      else if (m[2] !== undefined) this.parts.push({ header: m[2] });
      else {
        const name = m[3]!.toLowerCase();
        if (name !== 'localhost' && name !== 'ip' && name !== 'fqdn') {
          throw new SluiceError('SLUICE_CONFIG_BAD_VALUE', `"${template}" uses %[${m[3]}]; the host escapes are %[localhost], %[IP] and %[FQDN].`);
        }
        this.parts.push(name === 'localhost' ? host.localhost : name === 'ip' ? host.ip : host.fqdn);
      }
    }
    if (last < template.length) this.parts.push(template.slice(last));
    this.usesTime = this.parts.some((p) => typeof p === 'object' && 'time' in p);
    this.isConstant = this.parts.every((p) => typeof p === 'string');
  }

  /** A regular expression source matching every rendering (escapes match anything). */
  pattern(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '.*')).join('');
  }

  /** `ms` is the (rounded) event time, needed only when `usesTime`; `raw` the header behind it. */
  render(headers: Headers, ms: number, clock: ZoneClock, raw: string | undefined): string {
    let out = '';
    const f = this.usesTime ? clock.fields(ms) : undefined;
    for (const p of this.parts) {
      if (typeof p === 'string') out += p;
      else if ('header' in p) out += headers[p.header] ?? '';
      else out += formatTime(p.time, ms, f!, raw);
    }
    return out;
  }
}

/** The event time the escapes use: the `timestamp` header (or the clock), rounded as configured. */
export function eventTime(headers: Headers, t: TimeSettings, clock: ZoneClock, now: number): number {
  let ms: number;
  if (t.useLocalTimeStamp) ms = now;
  else {
    const raw = headers['timestamp'];
    if (raw === undefined || !/^[+-]?\d{1,19}$/.test(raw)) throw new MissingTimestamp(raw === undefined ? 'missing' : `"${raw}" is not a number`);
    ms = Number(raw);
  }
  return t.round ? clock.roundDown(ms, t.round.unit, t.round.value) : ms;
}
