/**
 * No chunker does quadratic work, checked WITHOUT timing: every chunker measures with a counting length function
 * (each call to a range measure counts 1, each character handed to `length` counts 1) and embeds through a
 * counting embedder, on texts of n and 4n characters of several shapes (prose, no spaces, one giant line, only
 * punctuation, many tiny semantic groups); the work on 4n must stay within 4.6x the work on n (a quadratic
 * algorithm does ~16x). Sentence splitting hands wink-nlp no word longer than MAX_WINK_WORD (its tokenizer is
 * quadratic in the length of a word).
 */
import { describe, expect, it } from 'vitest';
import { ClusterChunker } from '../../src/chunkers/cluster.js';
import type { LengthFunction } from '../../src/chunkers/length.js';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { SemanticChunker } from '../../src/chunkers/semantic.js';
import { SentenceChunker } from '../../src/chunkers/sentence.js';
import { MAX_WINK_WORD, segmentsForWink, splitSentences } from '../../src/chunkers/sentences.js';
import type { Chunker } from '../../src/chunkers/types.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder } from '../../src/embedders/types.js';
import { chromaCorpora } from './chunk-invariants.js';

/** Work counters: range measures and characters measured, texts and characters embedded. */
const work = { measured: 0, embedded: 0 };

/** Characters, counting the work: 1 per range measured, 1 per character measured with `length`. */
const countedChars: LengthFunction = {
  id: 'counted-chars',
  unit: 'chars',
  length: (t) => {
    work.measured += t.length + 1;
    return t.length;
  },
  prepare: () => (a, b) => {
    work.measured += 1;
    return b > a ? b - a : 0;
  },
};

/** The hashing embedder, counting 1 per text and 1 per character embedded. */
function countingEmbedder(): Embedder {
  const inner = new HashingEmbedder({ dimensions: 64 });
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    embed: (texts, options) => {
      for (const t of texts) work.embedded += t.length + 1;
      return inner.embed(texts, options);
    },
  };
}

const prose = chromaCorpora()
  .map((c) => c.text)
  .join('\n\n');
/** Text shapes, each as a function of the length wanted. */
const SHAPES: Record<string, (n: number) => string> = {
  prose: (n) => prose.slice(0, n),
  'no spaces': (n) => 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(n / 26)).slice(0, n),
  'one giant line': (n) => prose.replace(/\s+/g, ' ').slice(0, n),
  'only punctuation': (n) => '.,;:!?-()'.repeat(Math.ceil(n / 9)).slice(0, n),
  'punctuation and spaces': (n) => '. ! ? '.repeat(Math.ceil(n / 6)).slice(0, n),
};

const embedder = countingEmbedder();
const CHUNKERS: Record<string, () => Chunker> = {
  recursive: () => new RecursiveChunker({ size: 400, overlap: 50, lengthFunction: countedChars }),
  'recursive:chroma': () => RecursiveChunker.chroma({ size: 200, lengthFunction: countedChars }),
  sentence: () => new SentenceChunker({ size: 400, overlap: 1, lengthFunction: countedChars }),
  semantic: () => new SemanticChunker({ embedder, maxSize: 400, lengthFunction: countedChars }),
  // Many tiny groups (half the gaps are breakpoints) merged up to minSize: the merge must not rescan.
  'semantic minSize': () =>
    new SemanticChunker({
      embedder,
      threshold: 50,
      minSize: 300,
      maxSize: 1000,
      lengthFunction: countedChars,
    }),
  cluster: () => new ClusterChunker({ embedder, maxSize: 400, lengthFunction: countedChars }),
};

async function workOn(make: () => Chunker, text: string): Promise<typeof work> {
  const chunker = make();
  work.measured = 0;
  work.embedded = 0;
  const chunks = await chunker.chunk({ id: 'd', text });
  expect(chunks.length).toBeGreaterThan(0);
  return { ...work };
}

describe('chunkers do linear work (operation counts on n and 4n characters, no timing)', () => {
  const n = 12_000;
  for (const [name, make] of Object.entries(CHUNKERS)) {
    it(`${name}`, async () => {
      const ratios: Record<string, number> = {};
      for (const [shape, gen] of Object.entries(SHAPES)) {
        const small = await workOn(make, gen(n));
        const large = await workOn(make, gen(4 * n));
        for (const k of ['measured', 'embedded'] as const) {
          if (small[k] > 0) ratios[`${shape} ${k}`] = Math.round((large[k] / small[k]) * 100) / 100;
        }
      }
      for (const [shape, r] of Object.entries(ratios))
        expect(r, `${name} on ${shape}: ${JSON.stringify(ratios)}`).toBeLessThan(4.6);
    }, 60_000);
  }
});

describe('sentence splitting keeps giant words away from wink-nlp', () => {
  const longestRun = (s: string) => s.split(/\s+/).reduce((m, w) => Math.max(m, w.length), 0);

  it('no part handed to wink holds a word longer than MAX_WINK_WORD; the parts cover the text in order', () => {
    for (const [shape, gen] of Object.entries(SHAPES)) {
      const text = `intro words here. ${gen(20_000)} and the end.`;
      const segs = segmentsForWink(text);
      expect(segs[0]!.start).toBe(0);
      expect(segs.at(-1)!.end).toBe(text.length);
      for (let i = 1; i < segs.length; i++) expect(segs[i]!.start).toBe(segs[i - 1]!.end);
      for (const s of segs) {
        const part = text.slice(s.start, s.end);
        if (s.giant) expect(/\s/.test(part), shape).toBe(false);
        else expect(longestRun(part), shape).toBeLessThanOrEqual(MAX_WINK_WORD);
      }
    }
  });

  it('a text without a giant word is one part (same sentences as before)', () => {
    const text = prose.slice(0, 50_000);
    expect(segmentsForWink(text)).toEqual([{ start: 0, end: text.length, giant: false }]);
  });

  it('a giant run of non-whitespace is a sentence of its own, with exact offsets', () => {
    const giant = 'x'.repeat(MAX_WINK_WORD + 1);
    const text = `First sentence here. ${giant} Last one.`;
    const got = splitSentences(text).map((s) => text.slice(s.start, s.end));
    expect(got).toEqual(['First sentence here.', giant, 'Last one.']);
  });
});
