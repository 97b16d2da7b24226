import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContextualChunker, contextualText, indexText } from '../../src/chunkers/contextual.js';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { createChunker, parseChunkerSpec } from '../../src/chunkers/spec.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { EmbedOptions } from '../../src/embedders/types.js';
import { runBench } from '../../src/eval/bench.js';
import { loadBeir } from '../../src/eval/datasets/beir.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

const GUIDE = {
  id: 'handbook.md',
  text: '# Billing\n\n## Refunds\n\nMoney goes back to the card within five business days.\n\n## Invoices\n\nPDF copies are emailed monthly.\n',
};

describe('contextual chunk text', () => {
  it('prepends the title and the heading path, unless the chunk already starts with the title', () => {
    expect(
      contextualText({
        text: 'Run npm install.',
        metadata: { title: 'Guide', headings: ['Guide', 'Install'] },
      }),
    ).toBe('Guide\nGuide > Install\n\nRun npm install.');
    expect(contextualText({ text: 'Guide\n\nRun it.', metadata: { title: 'Guide' } })).toBe(
      'Guide\n\nRun it.',
    );
    expect(contextualText({ text: 'plain', metadata: {} })).toBe('plain');
  });

  it('keeps every chunk exactly the document slice the inner chunker made (offsets, text, ids)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('# A\n\n', '## B c\n\n', 'word ', 'Sentence here. ', '\n\n'), {
          maxLength: 80,
        }),
        async (parts) => {
          const doc = { id: 'd', text: parts.join(''), metadata: { title: 'T' } };
          const inner = new RecursiveChunker({ size: 60, markdown: true });
          const plain = await inner.chunk(doc);
          const ctx = await new ContextualChunker(inner, 'both').chunk(doc);
          expect(ctx.map(({ metadata: _m, ...c }) => c)).toEqual(plain.map(({ metadata: _m, ...c }) => c));
          for (const c of ctx) {
            expect(doc.text.slice(c.start, c.end)).toBe(c.text);
            expect(c.metadata.contextText).toBe(contextualText(c));
            expect((c.metadata.contextText as string).endsWith(c.text)).toBe(true);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is a suffix of any chunker spec: :ctx, :ctx=bm25, :ctx=embed, :ctx=both', () => {
    const c = createChunker('recursive:400/0:md:ctx=bm25') as ContextualChunker;
    expect(c).toBeInstanceOf(ContextualChunker);
    expect(c.target).toBe('bm25');
    expect(c.spec).toBe(`${createChunker('recursive:400/0:md').spec}:ctx=bm25`);
    expect((createChunker('sentence:400/1:ctx') as ContextualChunker).target).toBe('both');
    expect(parseChunkerSpec('recursive:400/0:md:ctx')).toEqual(parseChunkerSpec('recursive:400/0:md'));
    let err: unknown;
    try {
      createChunker('recursive:400/0:ctx=title');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as RagscopeError).code).toBe('INVALID_SPEC');
    expect((err as RagscopeError).message).toMatch(/bm25, embed or both.*"title"/);
  });

  it('makes BM25 find a section body by its heading words, only for the index it targets', async () => {
    const body = 'Money goes back to the card within five business days.';
    const found = async (spec: string) => {
      const p = new RetrievalPipeline({ chunker: createChunker(spec), vector: false });
      await p.addDocuments([GUIDE]);
      const { hits } = await p.search('billing refunds', { k: 5 });
      return hits.some((h) => h.chunk.text === body);
    };
    // With 60 characters the body is its own chunk, without the words "billing" or "refunds".
    expect(await found('recursive:60/0:md')).toBe(false);
    expect(await found('recursive:60/0:md:ctx=embed')).toBe(false);
    expect(await found('recursive:60/0:md:ctx=bm25')).toBe(true);
    expect(await found('recursive:60/0:md:ctx')).toBe(true);
  });

  it('sends the contextual text to the embedder only for :ctx=embed and :ctx=both', async () => {
    const seen: string[] = [];
    const inner = new HashingEmbedder();
    const embedder = {
      id: inner.id,
      dimensions: inner.dimensions,
      embed: (texts: string[], o?: EmbedOptions) => {
        if (o?.kind === 'passage') seen.push(...texts);
        return inner.embed(texts, o);
      },
    };
    const expected = 'Billing > Refunds\n\nMoney goes back to the card within five business days.';
    for (const [spec, contextual] of [
      ['recursive:60/0:md:ctx=embed', true],
      ['recursive:60/0:md:ctx=both', true],
      ['recursive:60/0:md:ctx=bm25', false],
    ] as const) {
      seen.length = 0;
      const p = new RetrievalPipeline({ chunker: createChunker(spec), embedder, bm25: {} });
      await p.addDocuments([GUIDE]);
      expect(seen.includes(expected), spec).toBe(contextual);
    }
    const c = (await createChunker('recursive:60/0:md:ctx=embed').chunk(GUIDE)).find((x) =>
      x.text.startsWith('Money'),
    )!;
    expect(indexText(c, 'embed')).toBe(expected);
    expect(indexText(c, 'bm25')).toBe(c.text);
  });

  it('raises BM25 nDCG@10 on SciFact, where late chunks of an abstract lose its title', async () => {
    const dataset = await loadBeir(path.resolve(__dirname, '../../../shared/data/scifact'));
    const report = await runBench({
      dataset,
      chunkers: ['recursive:400/0', 'recursive:400/0:ctx=bm25'],
      retrievers: ['bm25'],
      cacheDir: false,
      maxFailures: 0,
      iterations: 2000,
    });
    const [base, ctx] = report.configs.map((c) => c.metrics['ndcg_cut@10']!);
    expect(ctx!).toBeGreaterThan(base! + 0.01);
    expect(report.configs[0]!.chunkStats).toEqual(report.configs[1]!.chunkStats);
  }, 120_000);

  it('warns in the bench when no chunk gets any context (the Chroma corpora have no titles or headings)', async () => {
    const { loadChromaSpans } = await import('../../src/eval/datasets/chroma.js');
    const dataset = await loadChromaSpans(path.resolve(__dirname, '../../../shared/data/chroma'));
    const report = await runBench({
      dataset,
      chunkers: ['recursive:400/0', 'recursive:400/0:ctx'],
      retrievers: ['bm25'],
      cacheDir: false,
      maxFailures: 0,
      iterations: 100,
    });
    expect(report.warnings.join('\n')).toMatch(/recursive:400\/0:ctx: no chunk has a title or heading path/);
    expect(report.configs[1]!.metrics).toEqual(report.configs[0]!.metrics);
  }, 120_000);
});
