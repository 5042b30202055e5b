/**
 * Turns a byte stream in a given charset into text lines, for the line-oriented sources (netcat,
 * exec). Multi-byte characters split across chunks are decoded whole; lines come out without their
 * terminator. Charsets are the Java names Flume configs use, limited to those Node can decode and
 * encode without extra libraries.
 */
import { StringDecoder } from 'node:string_decoder';

export const charsets = ['UTF-8', 'ISO-8859-1', 'US-ASCII', 'UTF-16LE'] as const;
export type Charset = (typeof charsets)[number];

export const nodeEncoding: Readonly<Record<Charset, BufferEncoding>> = {
  'UTF-8': 'utf8',
  'ISO-8859-1': 'latin1',
  'US-ASCII': 'ascii',
  'UTF-16LE': 'utf16le',
};

const CR = 13;
const LF = 10;

export class LineSplitter {
  private readonly decoder: StringDecoder;
  private readonly terminator: RegExp;
  private partial = '';
  /** The last chunk ended in CR: a LF opening the next one belongs to it. */
  private afterCr = false;

  /**
   * @param javaReadLine end lines at `\n`, `\r` or `\r\n` as Java's BufferedReader.readLine does;
   *   otherwise only `\n` ends a line and a `\r` before it stays in the line (as netcat keeps it).
   */
  constructor(
    charset: Charset,
    private readonly javaReadLine: boolean,
  ) {
    this.decoder = new StringDecoder(nodeEncoding[charset]);
    this.terminator = javaReadLine ? /\r\n?|\n/g : /\n/g;
  }

  /** Appends the lines that `chunk` completes to `out`. */
  push(chunk: Buffer, out: string[]): void {
    let text = this.decoder.write(chunk);
    if (text.length === 0) return;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    const re = this.terminator;
    re.lastIndex = 0;
    let start = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push(this.partial + text.slice(start, m.index));
      this.partial = '';
      start = re.lastIndex;
    }
    if (this.javaReadLine && start === text.length && start > 0 && text.charCodeAt(start - 1) === CR) this.afterCr = true;
    this.partial += text.slice(start);
  }

  /** Characters (UTF-16 units, as Java counts them) of the line not yet ended. */
  get pendingLength(): number {
    return this.partial.length;
  }

  /** At the end of the stream: the last line if it had no terminator. */
  end(): string | undefined {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest.length > 0 ? rest : undefined;
  }
}

/**
 * Lines read but not yet put: appended at the back (LineSplitter pushes into `lines`), taken in
 * batches from the front without shifting the whole array at every batch.
 */
export class LineQueue {
  readonly lines: string[] = [];
  private head = 0;

  get size(): number {
    return this.lines.length - this.head;
  }

  take(max: number): string[] {
    const out = this.lines.slice(this.head, this.head + max);
    this.head += out.length;
    if (this.head === this.lines.length) this.clear();
    else if (this.head >= 4096 && this.head * 2 >= this.lines.length) {
      this.lines.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  clear(): void {
    this.lines.length = 0;
    this.head = 0;
  }
}
