/**
 * Flume's text serializers: `text` (BodyTextEventSerializer) writes each body, and `header_and_text`
 * (HeaderAndBodyTextEventSerializer) writes `{k=v, ...}` + space + body; both add `\n` unless
 * `appendNewline` is false. A batch becomes one Buffer, sized in a first pass and filled in a second.
 */
import type { Event } from '../../../core/event.ts';
import type { EventSerializer } from './index.ts';
import { javaMapString } from './java-map.ts';

const NEWLINE = 0x0a;

/** Both are headerless and can be appended to after a reopen. */
abstract class TextLikeSerializer implements EventSerializer {
  readonly supportsReopen = true;

  constructor(protected readonly appendNewline: boolean) {}

  header(): undefined {
    return undefined;
  }

  abstract encode(events: readonly Event[]): Buffer;
}

export class BodyTextSerializer extends TextLikeSerializer {
  encode(events: readonly Event[]): Buffer {
    const nl = this.appendNewline ? 1 : 0;
    let size = events.length * nl;
    for (let i = 0; i < events.length; i++) size += events[i]!.body.length;
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    for (let i = 0; i < events.length; i++) {
      const body = events[i]!.body;
      out.set(body, pos);
      pos += body.length;
      if (nl) out[pos++] = NEWLINE;
    }
    return out;
  }
}

export class HeaderAndTextSerializer extends TextLikeSerializer {
  encode(events: readonly Event[]): Buffer {
    const nl = this.appendNewline ? 1 : 0;
    const prefixes = new Array<string>(events.length);
    const lengths = new Array<number>(events.length);
    let size = events.length * nl;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      // Java writes String.valueOf(headers) + " " in the platform charset: UTF-8 on current JVMs.
      const p = `${javaMapString(e.headers)} `;
      prefixes[i] = p;
      lengths[i] = Buffer.byteLength(p);
      size += lengths[i]! + e.body.length;
    }
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    for (let i = 0; i < events.length; i++) {
      pos += out.write(prefixes[i]!, pos, lengths[i]!, 'utf8');
      const body = events[i]!.body;
      out.set(body, pos);
      pos += body.length;
      if (nl) out[pos++] = NEWLINE;
    }
    return out;
  }
}
