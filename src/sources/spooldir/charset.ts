/**
 * The charsets the spooling-directory source reads and writes, with Java's decode-error policies
 * (Flume's ResettableFileInputStream + CharsetDecoder with REPORT / REPLACE / IGNORE).
 *
 * Sluice supports UTF-8, US-ASCII, ISO-8859-1, UTF-16LE and UTF-16BE (with Java's alias spellings).
 * Java's UTF-8 decoder and this one treat the same byte runs as malformed (the "maximal subpart" rule),
 * so REPLACE gives the same number of U+FFFD. Encoding replaces what the output charset cannot hold
 * with `?`, as String.getBytes does.
 */
import { isUtf8 } from 'node:buffer';

export type DecodeErrorPolicy = 'FAIL' | 'REPLACE' | 'IGNORE';

/** Thrown by `decode` under FAIL: `at` is the index of the first bad byte in the decoded bytes. */
export class MalformedInput extends Error {
  constructor(readonly at: number) {
    super(`malformed input at byte ${at}`);
  }
}

export interface InputCharset {
  readonly name: string;
  /** Bytes per code unit: a line ends at a `\n` unit aligned on this width. */
  readonly width: 1 | 2;
  readonly newline: Buffer;
  decode(bytes: Buffer, policy: DecodeErrorPolicy): string;
  /** The largest cut ≤ `end` that does not split a character (bytes from `start`). */
  boundary(bytes: Buffer, start: number, end: number): number;
}

export interface OutputCharset {
  readonly name: string;
  encode(text: string): Buffer;
}

const REPLACEMENT = '\uFFFD';

/**
 * Length of the well-formed UTF-8 sequence at `i`, or minus the length of the ill-formed run to
 * skip (a lead byte and the continuation bytes that were valid for it).
 */
function utf8Sequence(b: Buffer, i: number, end: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) need = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return -1;
  for (let k = 1; k <= need; k++) {
    const x = i + k < end ? b[i + k]! : -1;
    if (x < lo || x > hi) return -k;
    lo = 0x80;
    hi = 0xbf;
  }
  return need + 1;
}

/** Decodes with a policy, given a per-position test of what is well-formed; `valid` runs decode in one call. */
function decodeRuns(bytes: Buffer, policy: DecodeErrorPolicy, run: (i: number) => number, text: (s: number, e: number) => string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = run(i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (policy === 'FAIL') throw new MalformedInput(i);
    out += text(from, i);
    if (policy === 'REPLACE') out += REPLACEMENT;
    i -= n;
    from = i;
  }
  return out + text(from, bytes.length);
}

const utf8: InputCharset = {
  name: 'UTF-8',
  width: 1,
  newline: Buffer.from([0x0a]),
  decode(bytes, policy) {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    return decodeRuns(bytes, policy, (i) => utf8Sequence(bytes, i, bytes.length), (s, e) => bytes.toString('utf8', s, e));
  },
  boundary(bytes, start, end) {
    // Back off over at most three continuation bytes to the lead byte of a possibly cut sequence.
    for (let i = end - 1; i >= start && i >= end - 3; i--) {
      const c = bytes[i]!;
      if (c < 0x80) return end;
      if (c >= 0xc0) return utf8Sequence(bytes, i, end) === end - i ? end : i;
    }
    return end;
  },
};

function singleByte(name: string, max: number): InputCharset {
  return {
    name,
    width: 1,
    newline: Buffer.from([0x0a]),
    decode(bytes, policy) {
      if (max === 0xff) return bytes.toString('latin1');
      return decodeRuns(bytes, policy, (i) => (bytes[i]! <= max ? 1 : -1), (s, e) => bytes.toString('latin1', s, e));
    },
    boundary: (_b, _s, end) => end,
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function utf16(name: string, bigEndian: boolean): InputCharset {
  return {
    name,
    width: 2,
    newline: Buffer.from(bigEndian ? [0x00, 0x0a] : [0x0a, 0x00]),
    decode(bytes, policy) {
      const even = bytes.length & ~1;
      let le = bytes.subarray(0, even);
      if (bigEndian) le = Buffer.from(le).swap16();
      let text = le.toString('utf16le');
      LONE_SURROGATE.lastIndex = 0;
      const bad = LONE_SURROGATE.exec(text);
      if (bad) {
        if (policy === 'FAIL') throw new MalformedInput(bad.index * 2);
        text = text.replace(LONE_SURROGATE, policy === 'REPLACE' ? REPLACEMENT : '');
      }
      if (even < bytes.length) {
        if (policy === 'FAIL') throw new MalformedInput(even);
        if (policy === 'REPLACE') text += REPLACEMENT;
      }
      return text;
    },
    boundary(bytes, start, end) {
      let cut = start + ((end - start) & ~1);
      if (cut - start >= 2) {
        const unit = bigEndian ? bytes.readUInt16BE(cut - 2) : bytes.readUInt16LE(cut - 2);
        if (unit >= 0xd800 && unit <= 0xdbff) cut -= 2;
      }
      return cut;
    },
  };
}

const UNMAPPABLE_LATIN1 = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\x00-\xff]/g;
const UNMAPPABLE_ASCII = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\x00-\x7f]/g;

function byteEncoder(name: string, unmappable: RegExp): OutputCharset {
  return {
    name,
    encode(text) {
      unmappable.lastIndex = 0;
      return Buffer.from(unmappable.test(text) ? text.replace(unmappable, '?') : text, 'latin1');
    },
  };
}

const inputs: Record<string, InputCharset> = {
  'UTF-8': utf8,
  'US-ASCII': singleByte('US-ASCII', 0x7f),
  'ISO-8859-1': singleByte('ISO-8859-1', 0xff),
  'UTF-16LE': utf16('UTF-16LE', false),
  'UTF-16BE': utf16('UTF-16BE', true),
};

const outputs: Record<string, OutputCharset> = {
  'UTF-8': { name: 'UTF-8', encode: (text) => Buffer.from(text, 'utf8') },
  'US-ASCII': byteEncoder('US-ASCII', UNMAPPABLE_ASCII),
  'ISO-8859-1': byteEncoder('ISO-8859-1', UNMAPPABLE_LATIN1),
  'UTF-16LE': { name: 'UTF-16LE', encode: (text) => Buffer.from(text, 'utf16le') },
  'UTF-16BE': { name: 'UTF-16BE', encode: (text) => Buffer.from(text, 'utf16le').swap16() },
};

/** Java's canonical names and the aliases Charset.forName accepts for them. */
const aliases: Record<string, string> = {
  'utf-8': 'UTF-8',
  utf8: 'UTF-8',
  'us-ascii': 'US-ASCII',
  ascii: 'US-ASCII',
  'iso646-us': 'US-ASCII',
  'iso-8859-1': 'ISO-8859-1',
  iso8859_1: 'ISO-8859-1',
  'iso8859-1': 'ISO-8859-1',
  'iso_8859-1': 'ISO-8859-1',
  latin1: 'ISO-8859-1',
  l1: 'ISO-8859-1',
  'utf-16le': 'UTF-16LE',
  utf_16le: 'UTF-16LE',
  'x-utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  utf_16be: 'UTF-16BE',
  'x-utf-16be': 'UTF-16BE',
};

export const supportedCharsets = Object.keys(inputs);

function canonical(name: string): string | undefined {
  return aliases[name.toLowerCase()];
}

export function inputCharset(name: string): InputCharset | undefined {
  const c = canonical(name);
  return c ? inputs[c] : undefined;
}

export function outputCharset(name: string): OutputCharset | undefined {
  const c = canonical(name);
  return c ? outputs[c] : undefined;
}
