import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { Bm25Index } from '../../src/search/bm25.js';
import { readBm25Binary } from '../../src/search/bm25-binary.js';
import { BinReader } from '../../src/search/persist/binary.js';
import { decodeTexts } from '../../src/search/persist/stores-read.js';

/** How texts.bin stores a text: UTF-8, or UTF-16LE when it has a lone surrogate (as the save does). */
function encode(texts: string[]) {
  const wellFormed = (t: string) => (t as string & { isWellFormed(): boolean }).isWellFormed();
  const utf16 = Uint8Array.from(texts, (t) => (wellFormed(t) ? 0 : 1));
  const parts = texts.map((t, i) => Buffer.from(t, utf16[i] ? 'utf16le' : 'utf8'));
  return {
    buf: Buffer.concat(parts),
    cols: { idOf: (i: number) => `d${i}`, utf16, bytes: Float64Array.from(parts, (p) => p.length) },
  };
}

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }), // astral characters
  // a lone surrogate (not valid Unicode: stored as UTF-16LE)
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.string({ maxLength: 10 }),
    )
    .map(([a, c, b]) => a + String.fromCharCode(c) + b),
);

describe('texts.bin decoding in blocks', () => {
  it('gives every text exactly, whatever the block size and mix of ASCII, non-ASCII and UTF-16 texts', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), fc.integer({ min: 1, max: 200 }), (texts, block) => {
        const { buf, cols } = encode(texts);
        expect(decodeTexts(buf, cols, 'texts.bin', block)).toEqual(texts);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a file shorter or longer than its documents', () => {
    const { buf, cols } = encode(['caf\u00e9 au lait', 'plain text', '\uD83D lone']);
    for (const bad of [buf.subarray(0, buf.length - 1), Buffer.concat([buf, Buffer.from('x')])]) {
      let err: unknown;
      try {
        decodeTexts(bad, cols, 'texts.bin', 8);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).code).toBe('CORRUPT_FILE');
      expect((err as RagscopeError).message).toMatch(/texts\.bin is corrupt/);
    }
  });
});

/** LEB128, as BinWriter writes it. */
function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const str = (s: string) => [...varint(Buffer.byteLength(s)), ...Buffer.from(s)];

describe('bm25.bin postings decoding', () => {
  const params = JSON.stringify({ k1: 1.2, b: 0.75, analyzer: new Bm25Index().analyzer.toJSON() });
  const chunks = [
    { id: 'c0', docId: 'd0' },
    { id: 'c1', docId: 'd1' },
  ];
  const file = (postings: Array<[string, Array<[number, number]>]>) =>
    Buffer.from([
      ...Buffer.from('RSBM1'),
      ...str(params),
      ...varint(2),
      ...varint(0),
      ...varint(1),
      ...varint(postings.length),
      ...postings.flatMap(([term, list]) => [
        ...str(term),
        ...varint(list.length),
        ...list.flatMap(([delta, tf]) => [...varint(delta), ...varint(tf)]),
      ]),
    ]);

  it('sums chunk lengths past int32 exactly (large term frequencies)', () => {
    const big = 2 ** 31 - 1;
    const idx = readBm25Binary(
      new BinReader(
        file([
          ['alpha', [[0, big]]],
          [
            'beta',
            [
              [0, big],
              [0, 3],
            ],
          ],
        ]),
        'bm25.bin',
      ),
      (o) => chunks[o],
      {},
    );
    expect(Array.from(idx.store.lens.subarray(0, 2))).toEqual([2 * big, 3]);
    expect(idx.store.totalLen).toBe(2 * big + 3);
    expect(idx.store.pNums[idx.store.termIds.get('beta')!]).toEqual(Int32Array.from([0, 1]));
  });

  it('refuses a posting past the last chunk or a zero tf, naming the file', () => {
    for (const bad of [[['alpha', [[2, 1]]]], [['alpha', [[0, 0]]]]] as Array<
      Array<[string, Array<[number, number]>]>
    >) {
      expect(() => readBm25Binary(new BinReader(file(bad), 'bm25.bin'), (o) => chunks[o], {})).toThrow(
        /bm25\.bin is corrupt: term alpha has a bad posting/,
      );
    }
  });
});
