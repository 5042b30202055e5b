import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHUNK_BYTES } from '../../../src/sources/spooldir/chunks.ts';
import { type DecodeErrorPolicy, inputCharset, outputCharset } from '../../../src/sources/spooldir/charset.ts';
import type { DeserializerFactory } from '../../../src/sources/spooldir/deserializer.ts';
import { LineReader } from '../../../src/sources/spooldir/line-reader.ts';
import { readAll, tempDir } from './helpers.ts';

const dir = tempDir('line-reader');
let n = 0;

function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, content);
  return path;
}

function line(o: { maxLineLength?: number; input?: string; output?: string; policy?: DecodeErrorPolicy } = {}): DeserializerFactory {
  const opts = {
    input: inputCharset(o.input ?? 'UTF-8')!,
    output: outputCharset(o.output ?? 'UTF-8')!,
    maxLineLength: o.maxLineLength ?? 2048,
    policy: o.policy ?? 'FAIL',
  };
  return async (ctx) => new LineReader(ctx, opts);
}

/** What Flume's LineDeserializer gives, minus its extra empty event after a line of exactly N × max characters. */
function reference(content: string, max: number): string[] {
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.flatMap((l) => {
    if (l.length <= max) return [l];
    const out: string[] = [];
    let rest = l;
    while (rest.length > max) {
      const cut = /[\uD800-\uDBFF]/.test(rest[max - 1]!) ? max - 1 : max;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (rest.length > 0) out.push(rest);
    return out;
  });
}

const strings = (r: { bodies: Buffer[] }, enc: BufferEncoding = 'utf8') => r.bodies.map((b) => b.toString(enc));

test('one event per \\n-ended line: \\r stays in the body, a blank line is an empty event, a last line without \\n counts', async () => {
  const r = await readAll(file('a\r\nb\n\n\nc'), line());
  assert.deepEqual(strings(r), ['a\r', 'b', '', '', 'c']);
  assert.deepEqual(r.positions.at(-1), { offset: 8, records: 0 });
});

test('an empty file gives no line (the source adds Flume\'s one empty event)', async () => {
  assert.deepEqual(strings(await readAll(file(''), line())), []);
  assert.deepEqual(strings(await readAll(file('\n'), line())), ['']);
});

test('lines cut by chunk boundaries come out whole, whatever the batch size', async () => {
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < 2.5 * CHUNK_BYTES) {
    // Lengths up to 3000 characters with 2-, 3- and 4-byte characters, so boundaries fall inside them.
    const l = `${i++}:${'xé€😀'.repeat((i * 7919) % 750)}`;
    parts.push(l);
    size += Buffer.byteLength(l) + 1;
  }
  const content = parts.join('\n');
  const path = file(content);
  for (const batch of [1, 7, 1000]) {
    const r = await readAll(path, line({ maxLineLength: 100_000 }), batch);
    assert.equal(r.bodies.length, parts.length, `batch ${batch}`);
    assert.deepEqual(strings(r), parts, `batch ${batch}`);
  }
});

test('bodies of well-formed UTF-8 lines are slices of the read chunk, not copies', async () => {
  const r = await readAll(file('alpha\nbeta\ngamma\n'), line());
  assert.equal(r.bodies[0]!.buffer, r.bodies[2]!.buffer);
});

test('a line longer than maxLineLength characters is split into pieces of that many, counted in UTF-16 units', async () => {
  const ascii = 'a'.repeat(5000);
  assert.deepEqual(strings(await readAll(file(`${ascii}\nnext\n`), line())), ['a'.repeat(2048), 'a'.repeat(2048), 'a'.repeat(904), 'next']);
  // Exactly two pieces' worth gives two events (Flume adds an empty third one).
  assert.deepEqual(strings(await readAll(file(`${'b'.repeat(8)}\nc\n`), line({ maxLineLength: 4 }))), ['bbbb', 'bbbb', 'c']);
  const mixed = 'é€😀x'.repeat(30);
  const r = await readAll(file(`${mixed}\n`), line({ maxLineLength: 7 }));
  assert.deepEqual(strings(r), reference(mixed, 7));
  assert.ok(strings(r).every((s) => s.length <= 7 && !s.includes('\uFFFD')));
  assert.equal(r.splits.length, 1, 'the split is reported once per line, with the line offset');
  assert.equal(r.splits[0], 0);
});

test('a line with no newline for megabytes is split as it streams, without waiting for its end', async () => {
  const big = 'z'.repeat(3 * CHUNK_BYTES + 123);
  const r = await readAll(file(big), line({ maxLineLength: 4096 }));
  assert.equal(r.bodies.length, Math.ceil(big.length / 4096));
  assert.equal(Buffer.concat(r.bodies).toString(), big);
});

test('resuming at any batch position gives exactly the events after it, also in the middle of a split line', async () => {
  const content = `short\n${'L'.repeat(50)}\n\nmid ${'é'.repeat(23)}\nlast`;
  const opts = line({ maxLineLength: 8 });
  const path = file(content);
  const all = strings(await readAll(path, opts, 1000));
  assert.deepEqual(all, reference(content, 8));
  for (const batch of [1, 2, 3, 5]) {
    const first = await readAll(path, opts, batch);
    let seen = 0;
    for (const [i, at] of first.positions.entries()) {
      seen += Math.min(batch, all.length - i * batch);
      assert.deepEqual(strings(await readAll(path, opts, 4, at)), all.slice(seen), `batch ${batch}, resume at ${JSON.stringify(at)}`);
    }
  }
});

test('decodeErrorPolicy FAIL stops at the first invalid byte and names the file and its offset', async () => {
  const path = file(Buffer.concat([Buffer.from('good\nstill good\nbad '), Buffer.from([0xff]), Buffer.from(' line\n')]));
  await assert.rejects(readAll(path, line()), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SLUICE_SOURCE_DECODE');
    assert.match(err.message, new RegExp(`${path}" at byte 20`));
    return true;
  });
});

test('decodeErrorPolicy REPLACE writes one U+FFFD per malformed sequence, as Java does; IGNORE drops them', async () => {
  // 0xFF is never valid; E2 82 is a cut-short three-byte sequence (one replacement); C0 AF is overlong (two).
  const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0xff]), Buffer.from('b'), Buffer.from([0xe2, 0x82]), Buffer.from('c'), Buffer.from([0xc0, 0xaf]), Buffer.from('d\n')]);
  assert.deepEqual(strings(await readAll(file(bytes), line({ policy: 'REPLACE' }))), ['a\uFFFDb\uFFFDc\uFFFD\uFFFDd']);
  assert.deepEqual(strings(await readAll(file(bytes), line({ policy: 'IGNORE' }))), ['abcd']);
});

test('inputCharset ISO-8859-1, US-ASCII and UTF-16 are decoded and re-encoded in outputCharset', async () => {
  const latin = Buffer.from('café\nna\u00efve\n', 'latin1');
  assert.deepEqual(strings(await readAll(file(latin), line({ input: 'ISO-8859-1' }))), ['café', 'na\u00efve']);
  const le = Buffer.from('zwei\nlignes é\n', 'utf16le');
  assert.deepEqual(strings(await readAll(file(le), line({ input: 'UTF-16LE' }))), ['zwei', 'lignes é']);
  const be = Buffer.from('drei\n\u0a00x\n', 'utf16le').swap16();
  // U+0A00 has a 0x0A byte that is not a newline: lines end only on whole \n units.
  assert.deepEqual(strings(await readAll(file(be), line({ input: 'UTF-16BE' }))), ['drei', '\u0a00x']);
  const ascii = Buffer.from([0x6f, 0x6b, 0xe9, 0x0a]);
  assert.deepEqual(strings(await readAll(file(ascii), line({ input: 'US-ASCII', policy: 'REPLACE' }))), ['ok\uFFFD']);
  await assert.rejects(readAll(file(ascii), line({ input: 'US-ASCII' })), /not valid US-ASCII/);
  const out = await readAll(file('€ and é\n'), line({ output: 'ISO-8859-1' }));
  assert.deepEqual(strings(out, 'latin1'), ['? and é'], 'what the output charset cannot hold becomes ?');
  const utf16out = await readAll(file('hé\n'), line({ output: 'UTF-16BE' }));
  assert.deepEqual(utf16out.bodies[0], Buffer.from([0x00, 0x68, 0x00, 0xe9]));
});

test('Java charset aliases are accepted and unknown charsets are not', () => {
  assert.equal(inputCharset('utf8')?.name, 'UTF-8');
  assert.equal(inputCharset('latin1')?.name, 'ISO-8859-1');
  assert.equal(outputCharset('x-UTF-16LE')?.name, 'UTF-16LE');
  assert.equal(inputCharset('EBCDIC'), undefined);
});
