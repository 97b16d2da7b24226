import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClusterChunker } from '../../src/chunkers/cluster.js';
import type { Tokenizer } from '../../src/chunkers/length.js';
import {
  charLength,
  checkLengthFunction,
  rangeMeasure,
  tokenLength,
  wordLength,
} from '../../src/chunkers/lengths.js';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { SemanticChunker } from '../../src/chunkers/semantic.js';
import { SentenceChunker } from '../../src/chunkers/sentence.js';
import { HfTokenizer, TiktokenTokenizer } from '../../src/chunkers/tokenizer.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { chromaCorpora, expectBasicInvariants, sharedPath, textArb } from './chunk-invariants.js';

let cl100k: TiktokenTokenizer;
let minilm: HfTokenizer;
beforeAll(async () => {
  cl100k = await TiktokenTokenizer.load();
  minilm = await HfTokenizer.fromDirectory(sharedPath('models/all-MiniLM-L6-v2-tokenizer'));
});

/** A tokenizer with fixed spans, to pin the counting rule. */
function fakeTokenizer(spans: Array<[number, number]>): Tokenizer {
  return {
    id: 'fake',
    encode: () => spans.map((_, i) => i),
    count: (t) => t.length, // deliberately not the span rule: the range measure must not call it
    spans: () => spans,
  };
}

/** A tokenizer that records how many characters it was asked to tokenise. */
function counting(tok: Tokenizer): Tokenizer & { chars: number; calls: string[] } {
  const out = {
    id: tok.id,
    chars: 0,
    calls: [] as string[],
    encode: (t: string) => {
      out.chars += t.length;
      out.calls.push(t);
      return tok.encode(t);
    },
    count: (t: string) => {
      out.chars += t.length;
      out.calls.push(t);
      return tok.count(t);
    },
    spans: (t: string) => {
      out.chars += t.length;
      out.calls.push(t);
      return tok.spans(t);
    },
  };
  return out;
}

describe('range measures (LengthFunction.prepare)', () => {
  it('counts the document tokens overlapping the range; an empty span [p, p) counts as [p - 1, p)', () => {
    // text "abcdefghij": tokens [0,3) [3,5) [5,5) [5,8) [8,10)
    const measure = rangeMeasure(
      tokenLength(
        fakeTokenizer([
          [0, 3],
          [3, 5],
          [5, 5],
          [5, 8],
          [8, 10],
        ]),
      ),
      'abcdefghij',
    );
    expect(measure(0, 10)).toBe(5);
    expect(measure(0, 3)).toBe(1);
    expect(measure(2, 3)).toBe(1); // a token straddling both edges counts once
    expect(measure(2, 4)).toBe(2); // straddles the start and the end
    expect(measure(3, 5)).toBe(2); // [3,5) and the empty token at 5, which belongs to character 4
    expect(measure(5, 6)).toBe(1); // not the empty token at 5
    expect(measure(4, 6)).toBe(3);
    expect(measure(3, 3)).toBe(0);
    expect(measure(7, 2)).toBe(0);
    expect(measure(9, 10)).toBe(1);
  });

  it('falls back to tokenising each slice when the spans are out of order', () => {
    const tok = fakeTokenizer([
      [3, 5],
      [0, 3],
    ]);
    const measure = rangeMeasure(tokenLength(tok), 'abcde');
    expect(measure(1, 4)).toBe(3); // fake count = slice length
  });

  it('chars and words measure exactly like length(slice)', () => {
    fc.assert(
      fc.property(textArb, fc.nat(), fc.nat(), (text, x, y) => {
        const a = x % (text.length + 1);
        const b = y % (text.length + 1);
        const [s, e] = a <= b ? [a, b] : [b, a];
        expect(rangeMeasure(charLength, text)(s, e)).toBe(e - s);
        expect(rangeMeasure(wordLength, text)(s, e)).toBe(wordLength.length(text.slice(s, e)));
      }),
      { numRuns: 300 },
    );
  });

  it('tokens: matches the overlap rule computed naively from the spans, on real text with both tokenizers', () => {
    const text = chromaCorpora()[0]!.text.slice(0, 6000);
    for (const tok of [cl100k, minilm]) {
      const spans = tok.spans(text);
      const measure = rangeMeasure(tokenLength(tok), text);
      fc.assert(
        fc.property(fc.nat(text.length), fc.nat(400), (s, w) => {
          const e = Math.min(text.length, s + w);
          const naive = spans.filter(([a, b]) => {
            const [lo, hi] = b > a ? [a, b] : [Math.max(0, b - 1), Math.max(0, b - 1) + 1];
            return e > s && lo < e && hi > s;
          }).length;
          expect(measure(s, e)).toBe(naive);
        }),
        { numRuns: 300 },
      );
      // Whole document: exactly the tokenizer's count.
      expect(measure(0, text.length)).toBe(tok.count(text));
    }
  });

  it('tokens: sentence chunks of a Chroma corpus measure within 2 tokens of tokenising the chunk alone', () => {
    const text = chromaCorpora()[4]!.text.slice(0, 40_000);
    const len = tokenLength(cl100k);
    const measure = rangeMeasure(len, text);
    const chunks = new SentenceChunker({ size: 100, lengthFunction: len }).chunkSync({ id: 'w', text });
    let same = 0;
    for (const c of chunks) {
      const diff = cl100k.count(c.text) - measure(c.start, c.end);
      expect(diff).toBeGreaterThanOrEqual(-1);
      expect(diff).toBeLessThanOrEqual(2);
      if (diff === 0) same++;
    }
    expect(same / chunks.length).toBeGreaterThan(0.8);
  });

  it('checkLengthFunction rejects a prepare that is not a function', () => {
    const bad = { id: 'x', unit: 'chars', length: (t: string) => t.length, prepare: 3 };
    expect(() => checkLengthFunction('lengthFunction', bad)).toThrow(RagscopeError);
    expect(() => checkLengthFunction('lengthFunction', bad)).toThrow(/optional prepare\(text\)/);
  });
});

describe('token-length chunkers tokenise each document once', () => {
  const text = () => chromaCorpora()[3]!.text.slice(0, 30_000);

  it('sentence, semantic and cluster send exactly the document to the tokenizer', async () => {
    const t = text();
    const embedder = new HashingEmbedder();
    const make = (len: ReturnType<typeof tokenLength>) => [
      new SentenceChunker({ size: 60, lengthFunction: len }),
      new SemanticChunker({ embedder, maxSize: 120, minSize: 20, lengthFunction: len }),
      new ClusterChunker({ embedder, maxSize: 200, lengthFunction: len }),
      new ClusterChunker({ embedder, maxSize: 200, pieces: 'sentences', lengthFunction: len }),
    ];
    for (let k = 0; k < 4; k++) {
      const tok = counting(cl100k);
      const len = tokenLength(tok);
      const chunker = make(len)[k]!;
      const chunks = await chunker.chunk({ id: 'f', text: t });
      expect(tok.chars, chunker.spec).toBe(t.length);
      expectBasicInvariants(t, chunks);
      const measure = rangeMeasure(tokenLength(cl100k), t);
      const limit = k === 0 ? 60 : k === 1 ? 120 : 200;
      for (const c of chunks) expect(measure(c.start, c.end), chunker.spec).toBeLessThanOrEqual(limit);
    }
  });

  it('recursive (LangChain arithmetic) measures each distinct piece once', () => {
    // '\n' only at the start of the second paragraph: splitting it on '\n' gives it back whole.
    const t = `${'alpha beta gamma. '.repeat(20)}\n\n\n${'delta epsilon zeta. '.repeat(20)}`;
    const tok = counting(cl100k);
    const chunks = new RecursiveChunker({ size: 40, lengthFunction: tokenLength(tok) }).chunkSync({
      id: 'r',
      text: t,
    });
    expectBasicInvariants(t, chunks);
    const second = `\n\n\n${'delta epsilon zeta. '.repeat(20)}`.slice(2);
    expect(tok.calls.filter((c) => c === second)).toHaveLength(1);
  });

  it('recursive with tokens still gives LangChain-identical chunks (cl100k, Chroma separators, 200/0)', async () => {
    const { RecursiveCharacterTextSplitter } = await import('@langchain/textsplitters');
    for (const { name, text: full } of chromaCorpora().slice(0, 2)) {
      const t = full.slice(0, 60_000);
      const ours = RecursiveChunker.chroma({ size: 200, lengthFunction: tokenLength(cl100k) })
        .chunkSync({ id: name, text: t })
        .map((c) => c.text);
      const lc = await new RecursiveCharacterTextSplitter({
        chunkSize: 200,
        chunkOverlap: 0,
        separators: ['\n\n', '\n', '.', '?', '!', ' ', ''],
        lengthFunction: (x: string) => cl100k.count(x),
      }).splitText(t);
      expect(ours, name).toEqual(lc);
    }
  });

  it('sizes stay within the limit under the range rule on random text (sentence and cluster, cl100k)', async () => {
    const embedder = new HashingEmbedder();
    await fc.assert(
      fc.asyncProperty(textArb, fc.integer({ min: 3, max: 40 }), async (t, size) => {
        const len = tokenLength(cl100k);
        const measure = rangeMeasure(len, t);
        const doc = { id: 'p', text: t };
        const sentence = new SentenceChunker({ size, overlap: 1, lengthFunction: len }).chunkSync(doc);
        const cluster = await new ClusterChunker({
          embedder,
          maxSize: size * 2,
          pieceSize: size,
          lengthFunction: len,
        }).chunk(doc);
        for (const c of [...sentence, ...cluster]) {
          expect(t.slice(c.start, c.end)).toBe(c.text);
          // Every chunk fits, except one character that is more tokens than the limit on its own (an astral
          // character is 4 byte-level tokens and is never cut).
          if ([...c.text].length === 1) continue;
          expect(measure(c.start, c.end)).toBeLessThanOrEqual(cluster.includes(c) ? size * 2 : size);
        }
      }),
      { numRuns: 120 },
    );
  });
});
