import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { Bm25Index } from '../../src/search/bm25.js';
import { decodeBm25Binary, readBm25Binary } from '../../src/search/bm25-binary.js';
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

/** One posting as each layout stores it: layout 1 (format 4) (delta, tf); layout 2 (format 5) tf 1 folded in. */
const posting = (layout: 1 | 2, delta: number, tf: number) =>
  layout === 1
    ? [...varint(delta), ...varint(tf)]
    : tf === 1
      ? varint(2 * delta + 1)
      : [...varint(2 * delta), ...varint(tf - 2)];

describe.each([1, 2] as const)('bm25.bin postings decoding (layout %i)', (layout) => {
  const params = JSON.stringify({ k1: 1.2, b: 0.75, analyzer: new Bm25Index().analyzer.toJSON() });
  const chunks = [
    { id: 'c0', docId: 'd0' },
    { id: 'c1', docId: 'd1' },
  ];
  /** A bm25.bin of `n` chunks (chunk i at ordinal i); `raw` postings are bytes as they are. */
  const file = (postings: Array<[string, Array<[number, number]> | number[]]>, n = 2) =>
    Buffer.from([
      ...Buffer.from(layout === 1 ? 'RSBM1' : 'RSBM2'),
      ...str(params),
      ...varint(n),
      ...(layout === 1 ? Array.from({ length: n }, (_, i) => varint(i)).flat() : [0]),
      ...varint(postings.length),
      ...postings.flatMap(([term, list]) => [
        ...str(term),
        ...varint(list.length),
        ...(typeof list[0] === 'number'
          ? (list as number[])
          : (list as Array<[number, number]>).flatMap(([delta, tf]) => posting(layout, delta, tf))),
      ]),
    ]);
  const read = (buf: Buffer) =>
    readBm25Binary(new BinReader(buf, 'bm25.bin'), (o) => chunks[o], {}, { layout });

  it('sums chunk lengths past int32 exactly (large term frequencies)', () => {
    const big = 2 ** 31 - 1;
    const idx = read(
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
    );
    expect(Array.from(idx.store.lens.subarray(0, 2))).toEqual([2 * big, 3]);
    expect(idx.store.totalLen).toBe(2 * big + 3);
    expect(idx.store.pNums[idx.store.termIds.get('beta')!]).toEqual(Int32Array.from([0, 1]));
  });

  it('refuses a posting past the last chunk, a zero tf or a cut posting, naming the file', () => {
    const bad: Array<[string, Array<[number, number]> | number[]]>[] = [[['alpha', [[2, 1]]]]];
    // layout 1 stores tf itself (0 is invalid); layout 2 cannot say tf 0, but its tf can be cut off
    bad.push(layout === 1 ? [['alpha', [[0, 0]]]] : [['alpha', [2 * 0]]]);
    for (const postings of bad) {
      expect(() => read(file(postings))).toThrow(/bm25\.bin is corrupt: term alpha has a bad posting/);
    }
  });

  it('refuses a chunk count other than the manifest says', () => {
    expect(() =>
      readBm25Binary(new BinReader(file([]), 'bm25.bin'), (o) => chunks[o], {}, { layout, chunks: 3 }),
    ).toThrow(/bm25\.bin is corrupt: announces 2 chunks, the manifest 3/);
  });
});

describe('bm25.bin layout 2: large rank deltas and term frequencies', () => {
  it('decodes deltas of 1 to 4 varint bytes and tf 1, 2 and large, summing chunk lengths', () => {
    const params = JSON.stringify({ k1: 1.2, b: 0.75, analyzer: new Bm25Index().analyzer.toJSON() });
    const n = 3_000_000;
    const ranks = [0, 1, 70, 2 ** 14 + 3, 2 ** 21 + 9, n - 1];
    const tfs = [1, 2, 1, 300, 2 ** 20, 1];
    const bytes = [...Buffer.from('RSBM2'), ...str(params), ...varint(n), 0, ...varint(2)];
    bytes.push(...str('alpha'), ...varint(ranks.length));
    for (const [i, r] of ranks.entries()) bytes.push(...posting(2, r - (ranks[i - 1] ?? -1) - 1, tfs[i]!));
    bytes.push(...str('beta'), ...varint(1), ...posting(2, 2 ** 21 + 9, 5));
    const { index, ordinals, size } = decodeBm25Binary(
      new BinReader(Buffer.from(bytes), 'bm25.bin'),
      {},
      {
        chunks: n,
      },
    );
    expect(size).toBe(n);
    expect(ordinals).toBeNull(); // chunk i is entry i: no list stored
    const s = index.store;
    expect(Array.from(s.pNums[s.termIds.get('alpha')!]!)).toEqual(ranks);
    expect(Array.from(s.pTfs[s.termIds.get('alpha')!]!)).toEqual(tfs);
    expect(s.lens[2 ** 21 + 9]).toBe(2 ** 20 + 5);
    expect(s.totalLen).toBe(tfs.reduce((a, b) => a + b, 0) + 5);
  });
});
