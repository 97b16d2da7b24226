import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { Analyzer, LUCENE_ENGLISH_STOP_WORDS, standardTokenize } from '../../src/search/analyzer.js';
import { Bm25Index } from '../../src/search/bm25.js';

const DOCS = [
  { id: 'd1', docId: 'D1', text: 'The cat sat on the mat' }, // cat sat mat            len 3
  { id: 'd2', docId: 'D2', text: 'the cat chased the cat' }, // cat chase cat          len 3
  { id: 'd3', docId: 'D3', text: 'Dogs and cats' }, //          dog cat                len 2
  { id: 'd4', docId: 'D4', text: 'a bird' }, //                 bird                   len 1
];

function expectCode(fn: () => unknown, code: string, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as RagscopeError).code).toBe(code);
    for (const p of parts) expect((err as RagscopeError).message).toContain(p);
    return;
  }
  throw new Error(`expected a RagscopeError ${code}`);
}

describe('Bm25Index scoring (hand-computed)', () => {
  // N = 4, total length 9, avgLen = 2.25, anserini k1 = 0.9, b = 0.4.
  // df(cat) = 3 -> idf = ln(1 + 1.5/3.5) = ln(10/7); df(mat) = 1 -> idf = ln(1 + 3.5/1.5) = ln(10/3).
  // len 3: norm = 0.6 + 0.4*3/2.25 = 17/15, k1*norm = 1.02; len 2: norm = 0.6 + 0.4*2/2.25 = 43/45, k1*norm = 0.86.
  const idfCat = Math.log(10 / 7);
  const idfMat = Math.log(10 / 3);
  const expected = {
    d1: (idfCat + idfMat) * (1.9 / 2.02), // cat tf 1, mat tf 1, len 3
    d2: idfCat * ((2 * 1.9) / (2 + 1.02)), // cat tf 2, len 3
    d3: idfCat * (1.9 / 1.86), // cat tf 1, len 2
  };

  it('scores match the hand computation and are ranked', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    expect(bm25.k1).toBe(0.9);
    expect(bm25.b).toBe(0.4);
    expect(bm25.avgDocLength).toBe(2.25);
    const hits = bm25.search('cat mat', 10);
    expect(hits.map((h) => h.id)).toEqual(['d1', 'd2', 'd3']);
    expect(hits[0]!.docId).toBe('D1');
    expect(hits[0]!.score).toBeCloseTo(expected.d1, 12);
    expect(hits[1]!.score).toBeCloseTo(expected.d2, 12);
    expect(hits[2]!.score).toBeCloseTo(expected.d3, 12);
    expect(expected.d1).toBeCloseTo(1.467935, 5); // sanity of the hand numbers themselves
  });

  it('explain gives idf, tf, df, length norm, and contributions that sum exactly to the search score', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    const e = bm25.explain('cat mat', 'd1');
    expect(e.docLength).toBe(3);
    expect(e.avgDocLength).toBe(2.25);
    expect(e.terms).toHaveLength(2);
    const [cat, mat] = e.terms;
    expect(cat).toMatchObject({ term: 'cat', analyzed: 'cat', tf: 1, df: 3 });
    expect(cat!.idf).toBeCloseTo(idfCat, 14);
    expect(cat!.lengthNorm).toBeCloseTo(17 / 15, 14);
    expect(cat!.contribution).toBeCloseTo(idfCat * (1.9 / 2.02), 14);
    expect(mat).toMatchObject({ term: 'mat', analyzed: 'mat', tf: 1, df: 1 });
    expect(mat!.idf).toBeCloseTo(idfMat, 14);
    expect(e.terms.reduce((s, t) => s + t.contribution, 0)).toBe(e.score);
    for (const hit of bm25.search('cat mat', 10))
      expect(bm25.explain('cat mat', hit.id).score).toBe(hit.score);
    const d2 = bm25.explain('cat mat', 'd2');
    expect(d2.terms[0]).toMatchObject({ tf: 2, df: 3 });
    expect(d2.score).toBeCloseTo(expected.d2, 12);
  });

  it('lucene preset and explicit k1/b', () => {
    const lucene = new Bm25Index({ preset: 'lucene' });
    expect([lucene.k1, lucene.b]).toEqual([1.2, 0.75]);
    lucene.add(DOCS);
    // d3: len 2, norm = 0.25 + 0.75*2/2.25 = 11/12; tf 1: 2.2 / (1 + 1.2*11/12) = 2.2 / 2.1
    expect(lucene.search('cat', 10).find((h) => h.id === 'd3')!.score).toBeCloseTo(idfCat * (2.2 / 2.1), 12);
    const custom = new Bm25Index({ preset: 'lucene', k1: 2 });
    expect([custom.k1, custom.b]).toEqual([2, 0.75]);
    expectCode(() => new Bm25Index({ k1: -1 }), 'INVALID_ARGUMENT', 'k1', '-1');
    expectCode(() => new Bm25Index({ b: 1.5 }), 'INVALID_ARGUMENT', 'b', '1.5');
    expectCode(() => new Bm25Index({ preset: 'okapi' as 'lucene' }), 'INVALID_ARGUMENT', 'preset', 'okapi');
  });

  it('lists unmatched query terms with their reason', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    const e = bm25.explain('the cat flew over the mat', 'd2');
    expect(e.terms.map((t) => t.analyzed)).toEqual(['cat']);
    expect(e.unmatched).toEqual([
      { term: 'the', analyzed: null, reason: 'stop-word' },
      { term: 'flew', analyzed: 'flew', reason: 'not-in-corpus' },
      { term: 'over', analyzed: 'over', reason: 'not-in-corpus' },
      { term: 'the', analyzed: null, reason: 'stop-word' },
      { term: 'mat', analyzed: 'mat', reason: 'not-in-chunk' },
    ]);
    expectCode(() => bm25.explain('cat', 'nope'), 'NOT_FOUND', 'nope');
  });

  it('counts a repeated query term once per occurrence (Anserini bag-of-words boost)', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    const once = bm25.explain('cat', 'd3');
    const twice = bm25.explain('cat Cats', 'd3');
    expect(twice.terms.map((t) => t.term)).toEqual(['cat', 'Cats']);
    expect(twice.score).toBe(once.score + once.score);
    expect(bm25.search('cat Cats', 1)[0]!.score).toBe(
      bm25.explain('cat Cats', bm25.search('cat Cats', 1)[0]!.id).score,
    );
  });

  it('search returns at most k, best first, ties by id, and nothing for unknown terms', () => {
    const bm25 = new Bm25Index();
    bm25.add([
      { id: 'b', docId: 'x', text: 'same words' },
      { id: 'a', docId: 'x', text: 'same words' },
      { id: 'c', docId: 'x', text: 'other' },
    ]);
    expect(bm25.search('same', 10).map((h) => h.id)).toEqual(['a', 'b']);
    expect(bm25.search('same', 1).map((h) => h.id)).toEqual(['a']);
    expect(bm25.search('unknown the', 5)).toEqual([]);
    expect(new Bm25Index().search('anything', 3)).toEqual([]);
    expectCode(() => bm25.search('same', 0), 'INVALID_ARGUMENT', 'k', '0');
    expectCode(() => bm25.add([{ id: '', docId: 'x', text: 't' }]), 'INVALID_ARGUMENT', 'items[0].id');
    expectCode(
      () => bm25.add([{ id: 'z', docId: 'x', text: 5 as unknown as string }]),
      'INVALID_ARGUMENT',
      'items[0].text',
    );
  });
});

describe('Bm25Index add / replace / remove', () => {
  it('replacing and removing keep df, N and avgLen right; termsOf reports tfs', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    expect(bm25.documentFrequency('cat')).toBe(3);
    expect(bm25.termsOf('d2')).toEqual(
      new Map([
        ['cat', 2],
        ['chase', 1],
      ]),
    );
    bm25.add([{ id: 'd2', docId: 'D2', text: 'birds fly' }]);
    expect(bm25.size).toBe(4);
    expect(bm25.documentFrequency('cat')).toBe(2);
    expect(bm25.documentFrequency('bird')).toBe(2);
    expect(bm25.documentFrequency('chase')).toBe(0);
    expect(bm25.avgDocLength).toBe((3 + 2 + 2 + 1) / 4);
    bm25.remove(['d1', 'missing']);
    expect(bm25.has('d1')).toBe(false);
    expect(bm25.size).toBe(3);
    expect(bm25.documentFrequency('mat')).toBe(0);
    expect(bm25.avgDocLength).toBe((2 + 2 + 1) / 3);
    expect(bm25.search('mat', 5)).toEqual([]);
    expectCode(() => bm25.termsOf('d1'), 'NOT_FOUND', 'd1');
  });

  it('property: an index built incrementally equals one built at once from the final chunks', () => {
    const words = ['cat', 'cats', 'dog', 'the', 'running', 'run', 'bird', 'mat', 'a', 'zebra', 'Sea', 'seas'];
    const text = fc.array(fc.constantFrom(...words), { maxLength: 8 }).map((w) => w.join(' '));
    const id = fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5');
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        items: fc.array(fc.record({ id, text }), { maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('remove' as const), ids: fc.array(id, { maxLength: 3 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 25 }),
        fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }),
        (ops, q) => {
          const inc = new Bm25Index();
          const state = new Map<string, string>();
          for (const o of ops) {
            if (o.kind === 'add') {
              inc.add(o.items.map((it) => ({ id: it.id, docId: `doc-${it.id}`, text: it.text })));
              for (const it of o.items) state.set(it.id, it.text);
            } else {
              inc.remove(o.ids);
              for (const x of o.ids) state.delete(x);
            }
          }
          const once = new Bm25Index();
          once.add([...state].map(([i, t]) => ({ id: i, docId: `doc-${i}`, text: t })));
          expect(inc.size).toBe(once.size);
          expect(inc.avgDocLength).toBe(once.avgDocLength);
          expect(inc.vocabularySize).toBe(once.vocabularySize);
          for (const w of words) {
            const t = once.analyzer.term(w);
            if (t) expect(inc.documentFrequency(t)).toBe(once.documentFrequency(t));
          }
          const query = q.join(' ');
          expect(inc.search(query, 10)).toEqual(once.search(query, 10));
          for (const i of state.keys()) {
            expect(inc.termsOf(i)).toEqual(once.termsOf(i));
            expect(inc.explain(query, i)).toEqual(once.explain(query, i));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('removing most of a large index (tombstones, then compaction) leaves it equal to a fresh build', () => {
    const words = ['cat', 'dog', 'bird', 'mat', 'zebra', 'sea', 'run', 'tree', 'sun', 'moon'];
    const textOf = (i: number) =>
      Array.from({ length: 1 + (i % 7) }, (_, j) => words[(i * 7 + j * 3) % 10]).join(' ');
    const inc = new Bm25Index();
    const live = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 2000 }, (_, i) => ({
        id: `r${round}-${i}`,
        docId: `d${i % 50}`,
        text: textOf(i + round),
      }));
      inc.add(batch);
      for (const it of batch) live.set(it.id, it.text);
      const gone = batch.filter((_, i) => i % 10 !== 0).map((it) => it.id);
      inc.remove(gone);
      for (const id of gone) live.delete(id);
      // replace some survivors (a re-add is remove + add)
      const again = batch.filter((_, i) => i % 20 === 0).map((it) => ({ ...it, text: `${it.text} moon` }));
      inc.add(again);
      for (const it of again) live.set(it.id, it.text);
    }
    expect(inc.store.generation).toBeGreaterThan(0); // compaction ran
    const once = new Bm25Index();
    once.add([...live].map(([id, text]) => ({ id, docId: `d${Number(id.split('-')[1]) % 50}`, text })));
    expect(inc.size).toBe(once.size);
    expect(inc.vocabularySize).toBe(once.vocabularySize);
    for (const q of ['cat moon', 'zebra sea sun', 'tree']) {
      expect(inc.search(q, 25)).toEqual(once.search(q, 25));
      for (const id of [...live.keys()].slice(0, 40)) expect(inc.explain(q, id)).toEqual(once.explain(q, id));
    }
  });
});

describe('Analyzer', () => {
  it('defaults: standard tokens, possessive removed, lower-case, Lucene stop words, Porter stemmer', () => {
    const a = new Analyzer();
    expect(a.id).toBe('standard|lower|stop:english|porter');
    expect(LUCENE_ENGLISH_STOP_WORDS).toHaveLength(33);
    expect(a.analyze("The patient's running dogs are generalizations")).toEqual([
      'patient',
      'run',
      'dog',
      'gener',
    ]);
    expect(standardTokenize('IL-6 rose 1,000-fold (p<0.05) in U.S. mice; e.g. x_y')).toEqual([
      'IL',
      '6',
      'rose',
      '1,000',
      'fold',
      'p',
      '0.05',
      'in',
      'U.S',
      'mice',
      'e.g',
      'x_y',
    ]);
    expect(a.analyzeTerms('the Cats')).toEqual([
      { term: 'the', analyzed: null },
      { term: 'Cats', analyzed: 'cat' },
    ]);
  });

  it('options change what matches', () => {
    const docs = [{ id: 'x', docId: 'x', text: 'The Cats' }];
    const cased = new Bm25Index({ analyzer: { lowercase: false } });
    cased.add(docs);
    expect(cased.search('cats', 1)).toEqual([]);
    expect(cased.search('Cats', 1)).toHaveLength(1);
    expect(cased.termsOf('x')).toEqual(
      new Map([
        ['The', 1],
        ['Cat', 1],
      ]),
    );
    const noStop = new Bm25Index({ analyzer: { stopWords: false } });
    noStop.add(docs);
    expect(noStop.search('the', 1)).toHaveLength(1);
    const ownStop = new Bm25Index({ analyzer: { stopWords: ['CATS'] } });
    ownStop.add(docs);
    expect(ownStop.termsOf('x')).toEqual(new Map([['the', 1]]));
    const noStem = new Bm25Index({ analyzer: { stemmer: 'none' } });
    noStem.add(docs);
    expect(noStem.search('cat', 1)).toEqual([]);
    expect(noStem.search('cats', 1)).toHaveLength(1);
    const fnStem = new Bm25Index({
      analyzer: { stemmer: (t) => t.slice(0, 3), tokenizer: (s) => s.split(/\s+/) },
    });
    fnStem.add([{ id: 'y', docId: 'y', text: 'catalogue, dogs' }]);
    expect(fnStem.termsOf('y')).toEqual(
      new Map([
        ['cat', 1],
        ['dog', 1],
      ]),
    );
    expect(fnStem.analyzer.id).toBe('custom-tokenizer|lower|stop:english|custom-stemmer');
    expect(new Analyzer({ stopWords: ['b', 'a'] }).id).toBe(new Analyzer({ stopWords: ['a', 'b'] }).id);
    expect(new Analyzer({ stopWords: ['a'] }).id).not.toBe(new Analyzer({ stopWords: ['b'] }).id);
    expectCode(
      () => new Analyzer({ stemmer: 'snowball' as 'porter' }),
      'INVALID_ARGUMENT',
      'analyzer.stemmer',
      'snowball',
    );
    expectCode(
      () => new Analyzer({ stopWords: 'french' as 'english' }),
      'INVALID_ARGUMENT',
      'analyzer.stopWords',
    );
  });

  it('similarTerms finds close vocabulary through minisearch', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    expect(bm25.similarTerms('cta', { maxEdits: 2 }).map((t) => t.term)).toContain('cat');
    expect(bm25.similarTerms('ca', { maxEdits: 0, prefix: true })).toEqual([
      { term: 'cat', df: 3, distance: 1 },
    ]);
    bm25.add([{ id: 'e', docId: 'e', text: 'catalogue' }]);
    expect(bm25.similarTerms('cat', { maxEdits: 0, prefix: true }).map((t) => t.term)).toEqual([
      'cat',
      'catalogu',
    ]);
  });
});

describe('Bm25Index persistence', () => {
  it('toJSON / fromJSON round trip keeps parameters, analyzer and scores', () => {
    const bm25 = new Bm25Index({ preset: 'lucene', analyzer: { stopWords: ['cat'] } });
    bm25.add(DOCS);
    bm25.remove(['d4']);
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(bm25.toJSON())));
    expect([copy.k1, copy.b, copy.analyzer.id, copy.size]).toEqual([bm25.k1, bm25.b, bm25.analyzer.id, 3]);
    expect(copy.search('dogs mat chase', 5)).toEqual(bm25.search('dogs mat chase', 5));
    expect(copy.explain('dogs mat', 'd1')).toEqual(bm25.explain('dogs mat', 'd1'));
    const fromString = Bm25Index.fromJSON(JSON.stringify(bm25));
    expect(fromString.search('mat', 5)).toEqual(bm25.search('mat', 5));
  });

  it('custom functions must be supplied again when loading', () => {
    const stem = (t: string) => t.slice(0, 3);
    const bm25 = new Bm25Index({ analyzer: { stemmer: stem } });
    bm25.add(DOCS);
    const json = bm25.toJSON();
    expectCode(() => Bm25Index.fromJSON(json, 'x.json'), 'INVALID_ARGUMENT', 'functions.stemmer');
    expect(Bm25Index.fromJSON(json, 'x.json', { stemmer: stem }).search('chasing', 3)).toEqual(
      bm25.search('chasing', 3),
    );
  });

  it('corrupt input throws CORRUPT_FILE naming the source', () => {
    const good = JSON.parse(JSON.stringify(new Bm25Index().toJSON()));
    const cases: unknown[] = [
      '{"format": "ragscope-bm25", ',
      null,
      42,
      { ...good, format: 'other' },
      { ...good, version: 9 },
      { ...good, k1: 'x' },
      { ...good, docs: 'nope' },
      { ...good, docs: [['a', 'A', ['cat'], [0]]] },
      { ...good, docs: [['a', 'A', ['cat', 'cat'], [1, 1]]] },
      { ...good, docs: [['a', 'A', ['cat'], [1, 2]]] },
      {
        ...good,
        docs: [
          ['a', 'A', ['cat'], [1]],
          ['a', 'A', ['dog'], [1]],
        ],
      },
      { ...good, analyzer: { ...good.analyzer, stemmer: 'lancaster' } },
    ];
    for (const c of cases)
      expectCode(() => Bm25Index.fromJSON(c, 'idx/bm25.json'), 'CORRUPT_FILE', 'idx/bm25.json');
  });
});

describe('Bm25Index on SciFact (real data)', () => {
  const dir = path.resolve(__dirname, '../../../shared/data/scifact');

  it('reaches the published Anserini nDCG@10 (0.6789) within 0.005, with exact explanations', () => {
    if (!existsSync(path.join(dir, 'corpus.jsonl'))) {
      throw new Error(
        `SciFact data missing: expected ${dir}/corpus.jsonl (../shared/data/scifact from the repo root)`,
      );
    }
    const bm25 = new Bm25Index({ preset: 'anserini' });
    bm25.add(
      readFileSync(path.join(dir, 'corpus.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const o = JSON.parse(l) as { _id: string; title: string; text: string };
          return { id: o._id, docId: o._id, text: `${o.title} ${o.text}` };
        }),
    );
    expect(bm25.size).toBe(5183);
    const rel = new Map<string, Set<string>>();
    for (const line of readFileSync(path.join(dir, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
      const [q, d] = line.split('\t');
      if (q && d) rel.set(q, (rel.get(q) ?? new Set()).add(d));
    }
    const queries = readFileSync(path.join(dir, 'queries.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { _id: string; text: string })
      .filter((q) => rel.has(q._id));
    expect(queries).toHaveLength(300);
    let sum = 0;
    for (const q of queries) {
      const r = rel.get(q._id)!;
      const hits = bm25.search(q.text, 10);
      let dcg = 0;
      hits.forEach((h, i) => {
        if (r.has(h.id)) dcg += 1 / Math.log2(i + 2);
      });
      let idcg = 0;
      for (let i = 0; i < Math.min(10, r.size); i++) idcg += 1 / Math.log2(i + 2);
      sum += dcg / idcg;
      const top = hits[0]!;
      const e = bm25.explain(q.text, top.id);
      expect(e.score).toBe(top.score);
      expect(e.terms.reduce((s, t) => s + t.contribution, 0)).toBe(top.score);
    }
    const ndcg = sum / queries.length;
    expect(ndcg).toBeGreaterThan(0.6789 - 0.005);
    expect(ndcg).toBeLessThan(0.6789 + 0.005);
  });
});

describe('Bm25Index dynamic pruning (block-max MaxScore)', () => {
  it('property: pruned search returns exactly the exhaustive top k and scores, ties by id included', () => {
    const words = ['cat', 'dog', 'bird', 'mat', 'zebra', 'sea', 'run', 'tree', 'sun', 'moon', 'the', 'of'];
    // few words and short texts: many identical scores, so tie order is exercised
    const text = fc.array(fc.constantFrom(...words), { minLength: 0, maxLength: 12 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 120 }),
        fc.array(fc.nat(119), { maxLength: 40 }),
        fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('anserini' as const, 'lucene' as const),
        (texts, removed, q, k, preset) => {
          const bm25 = new Bm25Index({ preset });
          bm25.add(texts.map((t, i) => ({ id: `c${(i * 37) % 1000}-${i}`, docId: `d${i % 9}`, text: t })));
          bm25.remove(removed.map((i) => `c${(i * 37) % 1000}-${i}`));
          const query = q.join(' ');
          const pruned = bm25.search(query, k);
          expect(pruned).toEqual(bm25.searchExhaustive(query, k));
          for (const hit of pruned) expect(bm25.explain(query, hit.id).score).toBe(hit.score);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: across many blocks, with removals, adds after a query and a filter, pruned == exhaustive', () => {
    // Skewed word frequencies (a few frequent words, a long tail) over hundreds to thousands of chunks: the chunk
    // numbers span many blocks of the per-block bounds, and blocks differ in their largest tf.
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const weighted = fc.oneof(
      { arbitrary: fc.constantFrom(...words.slice(0, 4)), weight: 6 },
      { arbitrary: fc.constantFrom(...words.slice(4, 12)), weight: 3 },
      { arbitrary: fc.constantFrom(...words), weight: 1 },
    );
    const text = fc.array(weighted, { minLength: 0, maxLength: 10 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 1500, size: 'max' }),
        fc.array(text, { maxLength: 400, size: 'max' }),
        fc.array(fc.nat(1899), { maxLength: 800, size: 'max' }),
        fc.array(weighted, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (texts, later, removed, q, k, keepEvery) => {
          const bm25 = new Bm25Index();
          const id = (i: number) => `c${(i * 7919) % 2000}-${i}`;
          bm25.add(texts.map((t, i) => ({ id: id(i), docId: `d${i % 13}`, text: t })));
          const query = q.join(' ');
          expect(bm25.search(query, k)).toEqual(bm25.searchExhaustive(query, k)); // builds the block bounds
          bm25.remove(removed.map(id));
          bm25.add(later.map((t, i) => ({ id: id(texts.length + i), docId: 'late', text: t })));
          const pruned = bm25.search(query, k);
          expect(pruned).toEqual(bm25.searchExhaustive(query, k));
          for (const hit of pruned) expect(bm25.explain(query, hit.id).score).toBe(hit.score);
          // a filter: the exact top k among accepted chunks, the scores unchanged
          const accept = (chunkId: string) => Number(chunkId.split('-')[1]) % keepEvery === 0;
          const filtered = bm25.search(query, k, { accept });
          const reference = bm25.searchExhaustive(query, Math.max(1, bm25.size)).filter((h) => accept(h.id));
          expect(filtered).toEqual(reference.slice(0, k));
          expect(filtered).toEqual(bm25.searchExhaustive(query, k, { accept }));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('accept is called only for candidates, and a bad accept is refused', () => {
    const bm25 = new Bm25Index();
    bm25.add(DOCS);
    const asked: string[] = [];
    const hits = bm25.search('cat', 10, {
      accept: (id) => {
        asked.push(id);
        return id !== 'd1';
      },
    });
    expect(hits.map((h) => h.id)).toEqual(['d2', 'd3']);
    expect(asked.sort()).toEqual(['d1', 'd2', 'd3']); // d4 has no query term: never asked
    expect(bm25.search('cat', 10, { accept: () => false })).toEqual([]);
    expectCode(() => bm25.search('cat', 10, { accept: 'd1' as never }), 'INVALID_ARGUMENT', 'options.accept');
    expectCode(() => bm25.search('cat', 10, null as never), 'INVALID_ARGUMENT', 'options');
  });

  it('on SciFact, pruned == exhaustive for every test query at k = 10 and 100', () => {
    const dir = path.resolve(__dirname, '../../../shared/data/scifact');
    const bm25 = new Bm25Index();
    bm25.add(
      readFileSync(path.join(dir, 'corpus.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const o = JSON.parse(l) as { _id: string; title: string; text: string };
          return { id: o._id, docId: o._id, text: `${o.title} ${o.text}` };
        }),
    );
    const queries = readFileSync(path.join(dir, 'queries.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 300)
      .map((l) => (JSON.parse(l) as { text: string }).text);
    for (const q of queries) {
      for (const k of [10, 100]) expect(bm25.search(q, k)).toEqual(bm25.searchExhaustive(q, k));
    }
  });
});
