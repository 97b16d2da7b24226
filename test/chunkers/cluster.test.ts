import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLUSTER_PIECE_DEFAULTS,
  ClusterChunker,
  clusterPieceSize,
  segmentClusters,
} from '../../src/chunkers/cluster.js';
import { charLength, wordLength } from '../../src/chunkers/lengths.js';
import { RagscopeError } from '../../src/core/errors.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import { checkInvariants, chromaCorpus, glovePath, KeywordEmbedder, textArb } from './sentence-fixtures.js';

const doc = (text: string) => ({ id: 'd', text });
const CAT_LINES = ['Cats purr softly all day.', 'Cats nap in the sunshine.', 'Cats hunt mice at night.'];
const STAR_LINES = ['Stars shine in the dark.', 'Stars burn for aeons.', 'Stars fade at dawn.'];

/** Total score of a segmentation computed the slow, obvious way (full matrix, as Chroma's numpy code). */
function bruteForceBest(vectors: number[][], maxPieces: number): number {
  const n = vectors.length;
  const unit = vectors.map((v) => {
    const len = Math.hypot(...v);
    return v.map((x) => (len === 0 ? 0 : x / len));
  });
  const sim = unit.map((a) => unit.map((b) => a.reduce((s, x, k) => s + x * b[k]!, 0)));
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sum += sim[i]![j]!;
  const mean = sum / ((n * (n - 1)) / 2);
  const m = sim.map((row, i) => row.map((x, j) => (i === j ? 0 : x - mean)));
  const reward = (s: number, e: number) => {
    let r = 0;
    for (let i = s; i <= e; i++) for (let j = s; j <= e; j++) r += m[i]![j]!;
    return r;
  };
  const best = (from: number): number => {
    if (from === n) return 0;
    let top = -Infinity;
    for (let size = 1; size <= maxPieces && from + size <= n; size++) {
      top = Math.max(top, reward(from, from + size - 1) + best(from + size));
    }
    return top;
  };
  return best(0);
}

describe('ClusterChunker with an embedder whose similarities are known', () => {
  it('groups the pieces of each topic together and reports the cluster score', async () => {
    const text = [...CAT_LINES, ...STAR_LINES].join('\n');
    const embedder = new KeywordEmbedder(['cat', 'star']);
    // pieceSize 30: one line per piece (two lines never fit); maxSize 120: at most 4 pieces per cluster.
    const chunker = new ClusterChunker({ embedder, maxSize: 120, pieceSize: 30 });
    const { chunks, boundaries } = await chunker.chunkWithTrace(doc(text));
    expect(embedder.calls).toHaveLength(1);
    expect(embedder.calls[0]!.texts).toEqual([...CAT_LINES, ...STAR_LINES]);
    expect(chunks.map((c) => c.text)).toEqual([CAT_LINES.join('\n'), STAR_LINES.join('\n')]);
    // Mean off-diagonal similarity: 6 same-topic pairs of 15 -> 0.4; within a cluster each of 3 pairs scores
    // (1 - 0.4), counted twice -> 3.6.
    expect(boundaries).toHaveLength(1);
    expect(boundaries[0]).toMatchObject({ reason: 'cluster', offset: text.indexOf('Stars shine') });
    expect(boundaries[0]!.score).toBeCloseTo(3.6, 6);
    expect(boundaries[0]!.explanation).toMatch(/would add -4\.8000 to the total|would pass the size limit/);
    expect(chunker.spec).toBe('cluster:120:chars'); // 30 = 120 / 4 is the default piece in chars
    expect(new ClusterChunker({ embedder, maxSize: 120, pieceSize: 20 }).spec).toBe(
      'cluster:120:chars:piece=20',
    );
    expect(new ClusterChunker({ embedder, maxSize: 400, pieces: 'sentences' }).spec).toBe(
      'cluster:400:chars:sentences',
    );
    // The embedder is part of the chunk ids.
    const other = new ClusterChunker({
      embedder: new KeywordEmbedder(['cat', 'star', 'dog']),
      maxSize: 120,
      pieceSize: 30,
    });
    expect((await other.chunk(doc(text)))[0]!.id).not.toBe(chunks[0]!.id);
  });

  it('never lets a cluster hold more than floor(maxSize / pieceSize) pieces', async () => {
    const text = [...CAT_LINES, ...STAR_LINES].join('\n');
    const embedder = new KeywordEmbedder(['cat', 'star']);
    const { chunks } = await new ClusterChunker({ embedder, maxSize: 60, pieceSize: 30 }).chunkWithTrace(
      doc(text),
    );
    // Cap: 2 pieces (and 60 chars; two lines are at most 51). Topics are never mixed.
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const c of chunks) {
      expect(c.text.split('\n').length).toBeLessThanOrEqual(2);
      expect(c.text.length).toBeLessThanOrEqual(60);
      expect(c.text.includes('Cats') && c.text.includes('Stars')).toBe(false);
    }
  });

  it('gives identical pieces zero score and so keeps them apart (ties go to the shorter run, as in Chroma)', async () => {
    const text = [...CAT_LINES, ...CAT_LINES].join('\n');
    const embedder = new KeywordEmbedder(['cat', 'star']);
    const { chunks, boundaries } = await new ClusterChunker({
      embedder,
      maxSize: 120,
      pieceSize: 30,
    }).chunkWithTrace(doc(text));
    expect(chunks).toHaveLength(6);
    expect(boundaries.every((b) => b.score === 0)).toBe(true);
  });

  it('embeds in batches of batchSize', async () => {
    const text = [...CAT_LINES, ...STAR_LINES].join('\n');
    const embedder = new KeywordEmbedder(['cat', 'star']);
    await new ClusterChunker({ embedder, maxSize: 120, pieceSize: 30, batchSize: 4 }).chunk(doc(text));
    expect(embedder.calls.map((c) => c.texts.length)).toEqual([4, 2]);
  });

  it('handles empty, blank and single-piece documents without embedding', async () => {
    const embedder = new KeywordEmbedder(['cat']);
    const chunker = new ClusterChunker({ embedder, maxSize: 100 });
    expect(await chunker.chunkWithTrace(doc(''))).toEqual({ chunks: [], boundaries: [] });
    expect(await chunker.chunk(doc(' \r\n '))).toEqual([]);
    expect((await chunker.chunk(doc('  tiny  '))).map((c) => c.text)).toEqual(['tiny']);
    expect(embedder.calls).toHaveLength(0);
  });

  it("defaults pieceSize to Chroma's 50 tokens; in chars/words to as much text, at most maxSize / 4", () => {
    const embedder = new KeywordEmbedder(['cat']);
    const tokens = { ...wordLength, id: 'tokens:fake', unit: 'tokens' as const };
    const piece = (maxSize: number, lengthFunction = charLength) =>
      new ClusterChunker({ embedder, maxSize, lengthFunction }).pieceSize;
    expect(CLUSTER_PIECE_DEFAULTS).toEqual({ chars: 220, words: 35, tokens: 50 });
    expect([piece(200, tokens), piece(400, tokens), piece(800, tokens), piece(30, tokens)]).toEqual([
      50, 50, 50, 30,
    ]);
    expect([piece(2000), piece(880), piece(400), piece(100), piece(3)]).toEqual([220, 220, 100, 25, 1]);
    expect([piece(400, wordLength), piece(100, wordLength), piece(2, wordLength)]).toEqual([35, 25, 1]);
    expect(clusterPieceSize(200, 'tokens')).toBe(50);
    // maxSize 200 tokens: at most 4 pieces a cluster, as in Chroma's evaluation.
    expect(new ClusterChunker({ embedder, maxSize: 200, lengthFunction: tokens }).spec).toBe(
      'cluster:200:tokens',
    );
  });

  it('rejects bad options with a RagscopeError naming the parameter and value', () => {
    const embedder = new KeywordEmbedder(['cat']);
    const bad = (o: Record<string, unknown>, msg: RegExp) => {
      let err: unknown;
      try {
        new ClusterChunker({ embedder, ...o } as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as Error).message).toMatch(msg);
    };
    bad({ maxSize: 0 }, /maxSize must be a positive integer, got 0/);
    bad({ maxSize: 100, pieceSize: 200 }, /pieceSize must be <= maxSize \(100\), got 200/);
    bad({ embedder: null }, /embedder must be an Embedder/);
    bad({ lengthFunction: {} }, /lengthFunction must be a LengthFunction/);
    bad({ pieces: 'words' }, /pieces must be 'recursive' or 'sentences', got "words"/);
  });

  it('property: the dynamic programme finds the best segmentation (checked by brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 }), {
          minLength: 2,
          maxLength: 9,
        }),
        fc.integer({ min: 1, max: 4 }),
        (vectors, maxPieces) => {
          const { clusters } = segmentClusters(
            vectors.map((v) => Float32Array.from(v)),
            maxPieces,
          );
          // Clusters tile the pieces in order and respect the cap.
          expect(clusters[0]!.first).toBe(0);
          expect(clusters.at(-1)!.last).toBe(vectors.length - 1);
          clusters.forEach((c, i) => {
            expect(c.last - c.first + 1).toBeLessThanOrEqual(maxPieces);
            if (i > 0) expect(c.first).toBe(clusters[i - 1]!.last + 1);
          });
          const total = clusters.reduce((s, c) => s + c.score, 0);
          expect(total).toBeCloseTo(bruteForceBest(vectors, maxPieces), 4);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: invariants hold and maxSize is respected for any text', async () => {
    await fc.assert(
      fc.asyncProperty(
        textArb,
        fc.integer({ min: 16, max: 200 }),
        fc.boolean(),
        async (text, maxSize, bySentence) => {
          const embedder = new KeywordEmbedder(['the', 'cat', 'star', 'e', 'x', '.']);
          const d = { id: 'p', text };
          const pieces = bySentence ? 'sentences' : 'recursive';
          const trace = await new ClusterChunker({ embedder, maxSize, pieces }).chunkWithTrace(d);
          checkInvariants(d, trace);
          for (const c of trace.chunks) expect(c.text.length).toBeLessThanOrEqual(maxSize);
          for (const b of trace.boundaries) {
            expect(b.reason).toBe('cluster');
            expect(Number.isFinite(b.score)).toBe(true);
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('ClusterChunker with real GloVe vectors', () => {
  let glove: StaticEmbedder;
  beforeAll(async () => {
    glove = await StaticEmbedder.fromFile(glovePath());
  });

  it('cuts at the change from cooking to astronomy', async () => {
    const cooking =
      'To make the sauce, heat olive oil in a pan and fry the chopped onion and garlic until soft. ' +
      'Add the tomatoes, a pinch of salt and some fresh basil, then let it simmer for twenty minutes. ' +
      'Meanwhile boil the pasta in plenty of salted water until it is cooked. ' +
      'Drain the pasta, stir it into the sauce and serve it with grated cheese.';
    const astronomy =
      'The telescope revealed thousands of distant galaxies beyond our own. ' +
      'Each galaxy contains billions of stars orbiting a massive black hole at its centre. ' +
      'Astronomers measure the light from these stars to estimate their distance and age. ' +
      'The planets of our solar system orbit the sun, and the moon orbits the earth.';
    const text = `${cooking}\n\n${astronomy}`;
    const change = text.indexOf('The telescope');
    const recursive = await new ClusterChunker({ embedder: glove, maxSize: 400, pieceSize: 100 }).chunk(
      doc(text),
    );
    expect(recursive.map((c) => c.text)).toEqual([cooking, astronomy]);
    for (const [maxSize, pieceSize] of [
      [400, 100],
      [300, 100],
      [400, 50],
    ] as const) {
      const chunks = await new ClusterChunker({
        embedder: glove,
        maxSize,
        pieceSize,
        pieces: 'sentences',
      }).chunk(doc(text));
      expect(chunks.map((c) => c.start)).toContain(change);
      expect(chunks.every((c) => c.text.length <= maxSize)).toBe(true);
    }
  });

  it('chunks a real corpus (State of the Union): invariants and maxSize, in chars and in words', async () => {
    const text = chromaCorpus('state_of_the_union');
    const d = { id: 'sotu', text };
    const trace = await new ClusterChunker({ embedder: glove, maxSize: 800 }).chunkWithTrace(d);
    checkInvariants(d, trace);
    expect(trace.chunks.every((c) => c.text.length <= 800)).toBe(true);
    // Clusters are real groups, not single pieces: on average several pieces of about 100 chars.
    expect(text.length / trace.chunks.length).toBeGreaterThan(200);
    const words = await new ClusterChunker({
      embedder: glove,
      maxSize: 150,
      lengthFunction: wordLength,
    }).chunk(d);
    expect(words.every((c) => wordLength.length(c.text) <= 150)).toBe(true);
  });
});
