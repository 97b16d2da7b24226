import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/search/bm25.js';
import { readBm25Binary, writeBm25Binary } from '../../src/search/bm25-binary.js';
import { BinReader, BinWriter } from '../../src/search/persist/binary.js';
import { writeStreamed } from '../../src/search/persist/sink.js';

const work = mkdtempSync(path.join(tmpdir(), 'ragscope-bm25-format-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const VOCAB = [
  'quokka',
  'marsupial',
  'island',
  'vitamin',
  'fracture',
  'enzyme',
  'protein',
  'coffee',
  'zebra',
];

/** Everything observable about an index's content, in its entries' order. */
function snapshot(idx: Bm25Index) {
  const ids = [...idx.ids()];
  return {
    size: idx.size,
    avg: idx.avgDocLength,
    terms: ids.map((id) => [id, [...idx.termsOf(id)].sort()]),
    df: VOCAB.map((w) => idx.documentFrequency(w)),
    hits: VOCAB.map((w) => idx.search(`${w} ${VOCAB[(w.length * 7) % VOCAB.length]}`, 10)),
  };
}

let files = 0;
/** Save `idx` as bm25.bin (chunk table `table`, its ids in some order) and read it back. */
async function roundTrip(idx: Bm25Index, table: Array<{ id: string; docId: string }>) {
  const ordinal = new Map(table.map((c, i) => [c.id, i]));
  const file = path.join(work, `bm25-${files++}.bin`);
  await writeStreamed(file, async (sink) => {
    const w = new BinWriter(sink);
    await writeBm25Binary(idx, w, (num) => ordinal.get(idx.store.ids[num] as string) as number);
    await w.flush();
  });
  const buf = readFileSync(file);
  rmSync(file);
  return {
    bytes: buf.length,
    loaded: readBm25Binary(new BinReader(buf, 'bm25.bin'), (o) => table[o], {}, { chunks: table.length }),
  };
}

// A chunk: words drawn from a small vocabulary (so most terms repeat across chunks), some words repeated many
// times (tf > 1, up to 300), sometimes empty (no term at all).
const chunkText = fc
  .array(fc.tuple(fc.constantFrom(...VOCAB), fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 300 }))), {
    maxLength: 8,
  })
  .map((parts) => parts.map(([w, tf]) => Array(tf).fill(w).join(' ')).join(' '));

describe('bm25.bin layout 2 (tf 1 folded into the rank delta, ordinals only when not 0, 1, 2...)', () => {
  it('reads back exactly what was written: random postings, removals and re-adds before the save, any chunk order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(chunkText, { minLength: 1, maxLength: 120 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.nat({ max: 40 }),
        fc.boolean(),
        fc.nat(),
        async (texts, removeAt, readd, shuffle, seed) => {
          const idx = new Bm25Index();
          idx.add(texts.map((text, i) => ({ id: `c${i}`, docId: `d${i >> 1}`, text })));
          // removals leave tombstones (and large gaps between live chunk numbers); re-adds get new numbers
          const gone = [...new Set(removeAt.map((r) => `c${r % texts.length}`))];
          idx.remove(gone);
          const back = gone.slice(0, readd);
          idx.add(
            back.map((id, i) => ({ id, docId: 'again', text: texts[(i * 13) % texts.length] as string })),
          );
          const docOf = (id: string) => idx.store.docIds[idx.store.byId.get(id)!] as string;
          const table = [...idx.ids()].map((id) => ({ id, docId: docOf(id) }));
          if (shuffle) {
            // the chunk table in another order than BM25's: the ordinals are stored
            for (let i = table.length - 1, s = seed; i > 0; i--) {
              s = (s * 1103515245 + 12345) % 2 ** 31;
              const j = s % (i + 1);
              [table[i], table[j]] = [table[j]!, table[i]!];
            }
          }
          const { loaded } = await roundTrip(idx, table);
          expect(snapshot(loaded)).toEqual(snapshot(idx));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stores a posting of tf 1 in one byte when chunks are dense, and no ordinal list for chunks in order', async () => {
    const idx = new Bm25Index();
    const n = 2000;
    idx.add(Array.from({ length: n }, (_, i) => ({ id: `c${i}`, docId: `d${i}`, text: 'quokka island' })));
    const inOrder = [...idx.ids()].map((id) => ({ id, docId: `d${id.slice(1)}` }));
    const { bytes, loaded } = await roundTrip(idx, inOrder);
    expect(snapshot(loaded)).toEqual(snapshot(idx));
    // 2 terms x 2000 postings of one byte, plus the header (parameters) and the terms
    const header = (await roundTrip(new Bm25Index(), [])).bytes;
    expect(bytes - header).toBeLessThan(2 * n + 40);
    const reversed = [...inOrder].reverse();
    expect((await roundTrip(idx, reversed)).bytes - bytes).toBeGreaterThanOrEqual(n); // the list costs a byte+ each
  });
});
