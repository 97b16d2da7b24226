import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownSections, ParentChildChunker, parentRefOf } from '../../src/chunkers/parent.js';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { createChunker, parseChunkerSpec } from '../../src/chunkers/spec.js';
import { RagscopeError } from '../../src/core/errors.js';
import { runBench } from '../../src/eval/bench.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { spanMetrics } from '../../src/eval/metrics/spans.js';
import { ParentSearch } from '../../src/search/parent-stage.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { sharedPath } from './chunk-invariants.js';

const word = fc.constantFrom(
  'alpha ',
  'beta. ',
  'Gamma delta ',
  '\n\n',
  '# Head\n',
  '```\n# not\n```\n',
  'x',
);

describe('parent-child chunking', () => {
  it('children are exact slices, each inside its parent, and parents are exact slices too', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { maxLength: 120 }),
        fc.constantFrom(
          'recursive:40/0:parent=150',
          'fixed:30/5:parent=90',
          'recursive:40/0:md:parent=section',
        ),
        async (parts, spec) => {
          const doc = { id: 'd', text: parts.join(''), metadata: { lang: 'en' } };
          const chunks = await createChunker(spec).chunk(doc);
          const parents = new Map<string, { start: number; end: number }>();
          for (const [i, c] of chunks.entries()) {
            expect(c.index).toBe(i);
            expect(doc.text.slice(c.start, c.end)).toBe(c.text);
            expect(c.metadata.lang).toBe('en');
            const p = parentRefOf(c)!;
            expect(p.start <= c.start && c.end <= p.end).toBe(true);
            const seen = parents.get(p.id);
            if (seen) expect(seen).toEqual({ start: p.start, end: p.end });
            parents.set(p.id, { start: p.start, end: p.end });
          }
          expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
          // Parents do not overlap (a window with no overlap, or a section), in document order.
          const spans = [...parents.values()];
          for (let i = 1; i < spans.length; i++)
            expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('parent=<size> is the same chunker at that size with no overlap', async () => {
    const doc = { id: 'd', text: 'Refunds take five days. Shipping is free. '.repeat(40) };
    const c = createChunker('recursive:100/20:parent=400') as ParentChildChunker;
    expect(c).toBeInstanceOf(ParentChildChunker);
    expect(c.spec).toBe(`${createChunker('recursive:100/20').spec}:parent=400`);
    const want = await createChunker('recursive:400/0').chunk(doc);
    expect((await c.parents(doc)).map((p) => [p.start, p.end])).toEqual(want.map((p) => [p.start, p.end]));
    expect(parseChunkerSpec('recursive:100/20:parent=400')).toEqual(parseChunkerSpec('recursive:100/20'));
  });

  it('Markdown sections start at headings (not inside fenced code) and drop trailing blank lines', () => {
    const text = 'intro\n\n# A\nalpha\n```\n# code\n```\n\n## B\nbeta\n\n';
    expect(markdownSections({ id: 'g', text }).map((s) => s.text)).toEqual([
      'intro',
      '# A\nalpha\n```\n# code\n```',
      '## B\nbeta',
    ]);
  });

  it('bad parent specs are RagscopeErrors naming the spec', () => {
    for (const [spec, why] of [
      ['recursive:200/0:parent=100', /larger than the child size/],
      ['recursive:200/0:parent=big', /parent= takes a size/],
      ['semantic:p95:parent=800', /needs a fixed, recursive or sentence/],
      ['recursive:200/0:parent=0', /parent= takes a size/],
    ] as const) {
      expect(() => createChunker(spec)).toThrow(RagscopeError);
      expect(() => createChunker(spec)).toThrow(why);
      try {
        createChunker(spec);
      } catch (e) {
        expect((e as Error).message).toContain(JSON.stringify(spec));
      }
    }
  });

  it('ParentSearch returns distinct parents, exact slices, with the best child score and a parent stage (Chroma)', async () => {
    const all = await loadChromaSpans(sharedPath('data/chroma'));
    const documents = all.documents.filter((d) => d.id === 'state_of_the_union');
    const questions = all.questions.filter((q) => q.spans?.every((s) => s.docId === 'state_of_the_union'));
    const pipeline = new RetrievalPipeline({ chunker: 'recursive:200/0:parent=800', vector: false });
    await pipeline.addDocuments(documents);
    const search = new ParentSearch(pipeline);
    const doc = documents[0]!;
    for (const q of questions.slice(0, 15)) {
      const { hits, trace } = await search.search(q.text, { k: 5 });
      const child = await pipeline.search(q.text, { k: 5 });
      expect(hits).toHaveLength(5);
      expect(new Set(hits.map((h) => h.chunk.id)).size).toBe(5);
      const stage = trace.stages.at(-1)!;
      expect(stage.stage).toBe('parent');
      const children = stage.params.children as Record<string, string[]>;
      for (const h of hits) {
        expect(doc.text.slice(h.chunk.start, h.chunk.end)).toBe(h.chunk.text);
        const kids = children[h.chunk.id]!.map((id) => pipeline.getChunk(id)!);
        expect(h.score).toBe(h.ledger.bm25!.score);
        for (const c of kids) expect(h.chunk.start <= c.start && c.end <= h.chunk.end).toBe(true);
      }
      expect(hits[0]!.score).toBe(child.hits[0]!.score);
      // The top 5 parents contain the top 5 children, so their span recall is never lower.
      const gold = q.spans!;
      expect(
        spanMetrics(
          gold,
          hits.map((h) => h.chunk),
        ).recall,
      ).toBeGreaterThanOrEqual(
        spanMetrics(
          gold,
          child.hits.map((h) => h.chunk),
        ).recall - 1e-12,
      );
    }
  });

  it('the bench scores the parents: parent hits, and recall@5 per question never below the children alone (Chroma)', async () => {
    const all = await loadChromaSpans(sharedPath('data/chroma'));
    const keep = new Set(['state_of_the_union', 'chatlogs']);
    const dataset = {
      ...all,
      documents: all.documents.filter((d) => keep.has(d.id)),
      questions: all.questions.filter((q) => q.spans?.every((s) => keep.has(s.docId))).slice(0, 40),
    };
    const report = await runBench({
      dataset,
      chunkers: ['recursive:200/0', 'recursive:200/0:parent=800'],
      retrievers: ['bm25'],
      cacheDir: false,
      maxFailures: 0,
      iterations: 200,
    });
    const child = 'recursive:200/0 + bm25';
    const parent = 'recursive:200/0:parent=800 + bm25';
    let longer = 0;
    for (const pq of report.perQuery) {
      expect(pq.scores[parent]!['recall@5']!).toBeGreaterThanOrEqual(pq.scores[child]!['recall@5']! - 1e-12);
      for (const h of pq.hits![parent]!) if (h.end - h.start > 200) longer++;
      expect(new Set(pq.hits![parent]!.map((h) => `${h.docId}:${h.start}`)).size).toBe(
        pq.hits![parent]!.length,
      );
    }
    expect(longer).toBeGreaterThan(0);
    expect(report.configs.find((c) => c.id === parent)!.metrics['recall@5']!).toBeGreaterThan(
      report.configs.find((c) => c.id === child)!.metrics['recall@5']!,
    );
  });
});

// A direct construction, as documented.
it('ParentChildChunker takes any two chunkers', async () => {
  const chunker = new ParentChildChunker(
    new RecursiveChunker({ size: 40 }),
    new RecursiveChunker({ size: 160 }),
    '160',
  );
  const chunks = await chunker.chunk({ id: 'faq', text: 'Refunds take five days. '.repeat(12) });
  expect(chunks.length).toBeGreaterThan(2);
  expect(chunker.spec).toMatch(/:parent=160$/);
});
