import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { codecFor } from '../../../src/sinks/hdfs/compress.ts';
import { SequenceFileSerializer, vlong } from '../../../src/sinks/hdfs/sequence-file.ts';

const hello = [{ headers: { timestamp: '1700000000000' }, body: Buffer.from('hello') }];

describe('SequenceFile writer', () => {
  it('encodes Hadoop VLongs as WritableUtils does', () => {
    assert.deepEqual([...vlong(5)], [5]);
    assert.deepEqual([...vlong(-112)], [0x90]);
    assert.deepEqual([...vlong(128)], [0x8f, 0x80]);
    assert.deepEqual([...vlong(300)], [0x8e, 0x01, 0x2c]);
    assert.deepEqual([...vlong(70000)], [0x8d, 0x01, 0x11, 0x70]);
    assert.deepEqual([...vlong(-200)], [0x87, 0xc7]);
  });

  it('writes the 95-byte Writable header and the documented record bytes, then a sync marker', () => {
    const w = new SequenceFileSerializer('Writable', undefined);
    const header = w.header();
    assert.equal(header.length, 95);
    assert.equal(header.subarray(0, 4).toString('latin1'), 'SEQ\x06');
    const sync = header.subarray(79);
    const body = w.encode(hello);
    assert.equal(body.subarray(0, 25).toString('hex'), '0000001100000008' + '0000018bcfe56800' + '0000000568656c6c6f');
    assert.deepEqual(body.subarray(25), Buffer.concat([Buffer.from('ffffffff', 'hex'), sync]));
  });

  it('writes Text values with a VInt length and an 86-byte header', () => {
    const w = new SequenceFileSerializer('Text', undefined);
    assert.equal(w.header().length, 86);
    assert.equal(w.encode(hello).subarray(0, 22).toString('hex'), '0000000e00000008' + '0000018bcfe56800' + '0568656c6c6f');
  });

  it('adds a sync marker before a record once 102400 bytes passed since the last one', () => {
    const w = new SequenceFileSerializer('Writable', undefined);
    w.header();
    const big = Array.from({ length: 30 }, () => ({ headers: { timestamp: '1' }, body: Buffer.alloc(5000, 1) }));
    const out = w.encode(big);
    let markers = 0;
    for (let i = out.indexOf(0xff); i >= 0; i = out.indexOf(Buffer.from('ffffffff', 'hex'), i + 4)) markers++;
    // 30 records of 5020 bytes: one marker inside (past 102400 bytes) and one at the flush.
    assert.equal(markers, 2);
  });

  it('block-compresses with DefaultCodec: marker, record count, four zlib parts', () => {
    const w = new SequenceFileSerializer('Writable', codecFor('default'));
    const header = w.header();
    assert.match(header.toString('latin1'), /\x01\x01.org\.apache\.hadoop\.io\.compress\.DefaultCodec/);
    const out = w.encode(hello);
    assert.equal(out.readInt32BE(0), -1);
    assert.equal(out[20], 1);
    let pos = 21;
    const parts: Buffer[] = [];
    for (let i = 0; i < 4; i++) {
      const len = out[pos]!;
      parts.push(inflateSync(out.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
    assert.equal(pos, out.length);
    assert.deepEqual(parts.map((p) => p.toString('hex')), ['08', '0000018bcfe56800', '09', '0000000568656c6c6f']);
  });
});

describe('hdfs.codeC names', () => {
  it('matches Hadoop codecs by simple name, name without Codec, or class name', () => {
    assert.equal(codecFor('gzip')?.extension, '.gz');
    assert.equal(codecFor('GzipCodec')?.extension, '.gz');
    assert.equal(codecFor('org.apache.hadoop.io.compress.DefaultCodec')?.extension, '.deflate');
    assert.equal(codecFor('none'), undefined);
  });

  it('refuses codecs Sluice does not implement, naming them', () => {
    assert.throws(() => codecFor('snappy'), /SnappyCodec\) is not implemented/);
    assert.throws(() => codecFor('zip'), /not a Hadoop codec/);
  });
});
