import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { wordLength } from '../../src/chunkers/lengths.js';
import { SemanticChunker } from '../../src/chunkers/semantic.js';
import { splitSentences } from '../../src/chunkers/sentences.js';
import { RagscopeError } from '../../src/core/errors.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import {
  checkInvariants,
  chromaCorpus,
  cosineDistance,
  glovePath,
  KeywordEmbedder,
  textArb,
} from './sentence-fixtures.js';

const CATS_STARS = 'Cats purr. Cats nap. Cats hunt. Stars shine. Stars burn. Stars fade.';
const doc = (text: string) => ({ id: 'd', text });

const COOKING =
  'To make the sauce, heat olive oil in a pan and fry the chopped onion and garlic until soft. ' +
  'Add the tomatoes, a pinch of salt and some fresh basil, then let it simmer for twenty minutes. ' +
  'Meanwhile boil the pasta in plenty of salted water until it is cooked. ' +
  'Drain the pasta, stir it into the sauce and serve it with grated cheese. ' +
  'A glass of red wine goes well with this dinner.';
const ASTRONOMY =
  'The telescope revealed thousands of distant galaxies beyond our own. ' +
  'Each galaxy contains billions of stars orbiting a massive black hole at its centre. ' +
  'Astronomers measure the light from these stars to estimate their distance and age. ' +
  'The planets of our solar system orbit the sun, and the moon orbits the earth. ' +
  'Space missions have sent probes to study the surface of mars and jupiter.';

describe('SemanticChunker with an embedder whose distances are known', () => {
  it('breaks exactly between the two topics; the curve holds the exact cosine distances (no buffer)', async () => {
    const embedder = new KeywordEmbedder(['cat', 'star']);
    const chunker = new SemanticChunker({ embedder, bufferSize: 0 });
    const { chunks, boundaries, curve } = await chunker.chunkWithTrace(doc(CATS_STARS));
    expect(chunks.map((c) => c.text)).toEqual([
      'Cats purr. Cats nap. Cats hunt.',
      'Stars shine. Stars burn. Stars fade.',
    ]);
    expect(curve!.distances).toEqual([0, 0, 1, 0, 0]);
    // np.percentile([0,0,0,0,1], 95) = 0 + 0.8 * (1 - 0)
    expect(curve!.threshold).toBeCloseTo(0.8, 12);
    expect(curve!.breakpoints).toEqual([2]);
    expect(curve!.pieces.map((p) => CATS_STARS.slice(p.start, p.end))).toEqual(CATS_STARS.split(/(?<=\.) /));
    expect(boundaries).toHaveLength(1);
    expect(boundaries[0]).toMatchObject({ reason: 'semantic-breakpoint', distance: 1, offset: 32 });
    expect(boundaries[0]!.threshold).toBeCloseTo(0.8, 12);
    expect(boundaries[0]!.thresholdUnit).toMatch(/cosine distance; threshold = 95th percentile/);
    expect(chunker.spec).toBe('semantic:p95:max=1000:min=0:chars:buffer=0');
    expect(new SemanticChunker({ embedder, mode: 'interquartile', maxSize: 400, minSize: 50 }).spec).toBe(
      'semantic:iqr1.5:max=400:min=50:chars',
    );
    const other = new SemanticChunker({
      embedder: new KeywordEmbedder(['cat', 'star', 'dog']),
      bufferSize: 0,
    });
    expect((await other.chunk(doc(CATS_STARS)))[0]!.id).not.toBe(chunks[0]!.id);
  });

  it('embeds each sentence with its neighbours (bufferSize 1) and computes the distances of those windows', async () => {
    const embedder = new KeywordEmbedder(['cat', 'star']);
    const { chunks, curve } = await new SemanticChunker({ embedder }).chunkWithTrace(doc(CATS_STARS));
    const s = CATS_STARS.split(/(?<=\.) /);
    // Windows: sentences i-1..i+1, embedded as exact slices of the text.
    expect(embedder.calls).toHaveLength(1);
    expect(embedder.calls[0]!.options).toEqual({ kind: 'passage' });
    expect(embedder.calls[0]!.texts).toEqual([
      `${s[0]} ${s[1]}`,
      `${s[0]} ${s[1]} ${s[2]}`,
      `${s[1]} ${s[2]} ${s[3]}`,
      `${s[2]} ${s[3]} ${s[4]}`,
      `${s[3]} ${s[4]} ${s[5]}`,
      `${s[4]} ${s[5]}`,
    ]);
    const v = [
      [2, 0],
      [3, 0],
      [2, 1],
      [1, 2],
      [0, 3],
      [0, 2],
    ];
    const expected = v.slice(0, -1).map((a, i) => cosineDistance(a, v[i + 1]!));
    expect(expected[2]).toBeCloseTo(0.2, 12); // 1 - (2*1 + 1*2) / (sqrt5 * sqrt5)
    curve!.distances.forEach((d, i) => {
      expect(d).toBeCloseTo(expected[i]!, 6);
    });
    expect(curve!.breakpoints).toEqual([2]);
    expect(chunks.map((c) => c.text)).toEqual([
      'Cats purr. Cats nap. Cats hunt.',
      'Stars shine. Stars burn. Stars fade.',
    ]);
  });

  it('computes the stddev, interquartile and gradient thresholds as LangChain (NumPy) does', async () => {
    const embedder = new KeywordEmbedder(['cat', 'star']);
    const run = async (mode: 'stddev' | 'interquartile' | 'gradient', threshold?: number) =>
      (
        await new SemanticChunker({
          embedder,
          bufferSize: 0,
          mode,
          ...(threshold === undefined ? {} : { threshold }),
        }).chunkWithTrace(doc(CATS_STARS))
      ).curve!;
    // distances [0,0,1,0,0]: mean 0.2, population std 0.4, q1 = q3 = 0.
    const sd1 = await run('stddev', 1);
    expect(sd1.threshold).toBeCloseTo(0.6, 12);
    expect(sd1.breakpoints).toEqual([2]);
    const sd3 = await run('stddev');
    expect(sd3.threshold).toBeCloseTo(1.4, 12);
    expect(sd3.breakpoints).toEqual([]);
    const iqr = await run('interquartile');
    expect(iqr.threshold).toBeCloseTo(0.2, 12);
    expect(iqr.breakpoints).toEqual([2]);
    // np.gradient([0,0,1,0,0]) = [0, 0.5, 0, -0.5, 0]; 95th percentile = 0.4; only index 1 passes
    // (LangChain's gradient mode cuts where the distance starts rising).
    const g = await run('gradient');
    expect(g.gradient).toEqual([0, 0.5, 0, -0.5, 0]);
    expect(g.threshold).toBeCloseTo(0.4, 12);
    expect(g.breakpoints).toEqual([1]);
    expect(g.unit).toMatch(/gradient/);
  });

  it('merges a group shorter than minSize into the neighbour across the weaker break', async () => {
    const embedder = new KeywordEmbedder(['cat', 'star', 'fish']);
    const text = 'Cats purr. Cats nap. Cats hunt. Fish swim. Stars shine. Stars burn. Stars fade.';
    const free = await new SemanticChunker({
      embedder,
      bufferSize: 0,
      mode: 'stddev',
      threshold: 0,
    }).chunkWithTrace(doc(text));
    expect(free.chunks.map((c) => c.text)).toEqual([
      'Cats purr. Cats nap. Cats hunt.',
      'Fish swim.',
      'Stars shine. Stars burn. Stars fade.',
    ]);
    const merged = await new SemanticChunker({
      embedder,
      bufferSize: 0,
      mode: 'stddev',
      threshold: 0,
      minSize: 15,
    }).chunkWithTrace(doc(text));
    // Both neighbouring distances are 1 (a tie): the first (previous) neighbour is kept.
    expect(merged.chunks.map((c) => c.text)).toEqual([
      'Cats purr. Cats nap. Cats hunt. Fish swim.',
      'Stars shine. Stars burn. Stars fade.',
    ]);
    expect(merged.curve!.breakpoints).toEqual([3]);
    // With a maxSize that the merge into the previous group would pass (54 > 50), it goes to the next one (47).
    const longer =
      'Cats purr. Cats nap. Cats hunt. Cats sleep. Fish swim. Stars shine. Stars burn. Stars fade.';
    const other = await new SemanticChunker({
      embedder,
      bufferSize: 0,
      mode: 'stddev',
      threshold: 0,
      minSize: 15,
      maxSize: 50,
    }).chunkWithTrace(doc(longer));
    expect(other.chunks.map((c) => c.text)).toEqual([
      'Cats purr. Cats nap. Cats hunt. Cats sleep.',
      'Fish swim. Stars shine. Stars burn. Stars fade.',
    ]);
    expect(other.curve!.breakpoints).toEqual([3]);
  });

  it('re-splits a group longer than maxSize at sentence ends (reason max-size)', async () => {
    const embedder = new KeywordEmbedder(['cat', 'star']);
    const { chunks, boundaries } = await new SemanticChunker({
      embedder,
      bufferSize: 0,
      maxSize: 23,
    }).chunkWithTrace(doc(CATS_STARS));
    expect(chunks.map((c) => c.text)).toEqual([
      'Cats purr. Cats nap.',
      'Cats hunt.',
      'Stars shine.',
      'Stars burn. Stars fade.',
    ]);
    expect(boundaries.map((b) => b.reason)).toEqual(['max-size', 'semantic-breakpoint', 'max-size']);
    expect(boundaries[0]).toMatchObject({ wouldBe: 31, limit: 23 });
    expect(boundaries[2]).toMatchObject({ wouldBe: 24, limit: 23 });
  });

  it('embeds in batches of batchSize (one call per batch)', async () => {
    const embedder = new KeywordEmbedder(['cat', 'star']);
    await new SemanticChunker({ embedder, batchSize: 4 }).chunk(doc(CATS_STARS));
    expect(embedder.calls.map((c) => c.texts.length)).toEqual([4, 2]);
  });

  it('needs no embedding for fewer than two sentences', async () => {
    const embedder = new KeywordEmbedder(['cat']);
    const chunker = new SemanticChunker({ embedder });
    expect(await chunker.chunkWithTrace(doc(''))).toMatchObject({ chunks: [], boundaries: [] });
    const one = await chunker.chunkWithTrace(doc('  Just one sentence.  '));
    expect(one.chunks.map((c) => c.text)).toEqual(['Just one sentence.']);
    expect(one.curve!.distances).toEqual([]);
    expect(embedder.calls).toHaveLength(0);
  });

  it('rejects bad options with a RagscopeError naming the parameter and value', () => {
    const embedder = new KeywordEmbedder(['cat']);
    const bad = (o: Record<string, unknown>, msg: RegExp) => {
      let err: unknown;
      try {
        new SemanticChunker({ embedder, ...o } as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(msg);
    };
    bad({ threshold: 101 }, /threshold must be a number between 0 and 100, got 101/);
    bad({ mode: 'gradient', threshold: -1 }, /threshold .* got -1/);
    bad({ mode: 'stddev', threshold: -0.5 }, /threshold must be a finite number >= 0, got -0.5/);
    bad({ mode: 'interquartile', threshold: Number.NaN }, /threshold .* got NaN/);
    bad({ mode: 'kmeans' }, /mode must be one of .* got "kmeans"/);
    bad({ maxSize: 0 }, /maxSize .* got 0/);
    bad({ minSize: 50, maxSize: 10 }, /minSize must be <= maxSize \(10\), got 50/);
    bad({ bufferSize: -1 }, /bufferSize .* got -1/);
    bad({ embedder: {} }, /embedder must be an Embedder/);
  });

  it('reports an embedder that returns the wrong number of vectors', async () => {
    const broken = { id: 'broken', dimensions: 2, embed: async () => [new Float32Array(2)] };
    await expect(new SemanticChunker({ embedder: broken }).chunk(doc(CATS_STARS))).rejects.toThrow(
      /embedder broken returned 1 vectors for 6 texts/,
    );
  });

  it('property: invariants hold and maxSize is respected for any text and topic vectors', async () => {
    await fc.assert(
      fc.asyncProperty(
        textArb,
        fc.integer({ min: 8, max: 150 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('percentile', 'stddev', 'interquartile', 'gradient') as fc.Arbitrary<
          'percentile' | 'stddev' | 'interquartile' | 'gradient'
        >,
        fc.integer({ min: 0, max: 2 }),
        async (text, maxSize, minSize, mode, bufferSize) => {
          const embedder = new KeywordEmbedder(['the', 'cat', 'star', 'pasta', 'e', 'x']);
          const chunker = new SemanticChunker({
            embedder,
            maxSize,
            minSize: Math.min(minSize, maxSize),
            mode,
            bufferSize,
          });
          const d = { id: 'p', text };
          const trace = await chunker.chunkWithTrace(d);
          checkInvariants(d, trace);
          for (const c of trace.chunks) expect(c.text.length).toBeLessThanOrEqual(maxSize);
          const n = splitSentences(text).length;
          expect(trace.curve!.pieces).toHaveLength(n);
          expect(trace.curve!.distances).toHaveLength(Math.max(0, n - 1));
          expect(embedder.calls.length).toBe(n < 2 ? 0 : 1);
          for (const b of trace.boundaries) {
            if (b.reason === 'semantic-breakpoint')
              expect(trace.curve!.breakpoints.length).toBeGreaterThan(0);
            else expect(['max-size', 'forced-split']).toContain(b.reason);
          }
          expect(trace.boundaries.filter((b) => b.reason === 'semantic-breakpoint')).toHaveLength(
            trace.curve!.breakpoints.length,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('SemanticChunker with real GloVe vectors', () => {
  let glove: StaticEmbedder;
  beforeAll(async () => {
    glove = await StaticEmbedder.fromFile(glovePath());
  });

  it('puts the largest distance and the only break at the change from cooking to astronomy', async () => {
    const text = `${COOKING}\n\n${ASTRONOMY}`;
    const sentences = splitSentences(text);
    const change = sentences.findIndex((s) => s.start === text.indexOf('The telescope')) - 1;
    expect(change).toBe(4);
    for (const bufferSize of [0, 1]) {
      const { chunks, curve } = await new SemanticChunker({ embedder: glove, bufferSize }).chunkWithTrace(
        doc(text),
      );
      const d = curve!.distances;
      expect(d.indexOf(Math.max(...d))).toBe(change);
      expect(curve!.breakpoints).toEqual([change]);
      expect(chunks.map((c) => c.text)).toEqual([COOKING, ASTRONOMY]);
    }
  });

  it('chunks a real corpus (State of the Union): invariants, maxSize/minSize, batched embedding', async () => {
    const text = chromaCorpus('state_of_the_union');
    const calls: number[] = [];
    const counting = {
      id: glove.id,
      dimensions: glove.dimensions,
      embed: (texts: string[]) => {
        calls.push(texts.length);
        return glove.embed(texts);
      },
    };
    const d = { id: 'sotu', text };
    const trace = await new SemanticChunker({
      embedder: counting,
      maxSize: 800,
      minSize: 100,
    }).chunkWithTrace(d);
    checkInvariants(d, trace);
    const n = splitSentences(text).length;
    expect(calls.reduce((a, b) => a + b, 0)).toBe(n);
    expect(calls.length).toBe(Math.ceil(n / 256));
    expect(trace.chunks.every((c) => c.text.length <= 800)).toBe(true);
    // minSize is soft (it yields to maxSize) but almost every chunk meets it.
    expect(trace.chunks.filter((c) => c.text.length < 100).length / trace.chunks.length).toBeLessThan(0.05);
    const semantic = trace.boundaries.filter((b) => b.reason === 'semantic-breakpoint');
    expect(semantic.length).toBeGreaterThan(5);
    for (const b of semantic) expect(b.distance!).toBeGreaterThan(b.threshold!);

    const words = await new SemanticChunker({
      embedder: glove,
      maxSize: 120,
      lengthFunction: wordLength,
    }).chunk(d);
    expect(words.every((c) => wordLength.length(c.text) <= 120)).toBe(true);
  });
});
