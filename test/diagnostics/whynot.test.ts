import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { whyNot } from '../../src/diagnostics/index.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import type { Reranker } from '../../src/search/rerank/types.js';
import { makePipeline, TruncatingEmbedder } from './helpers.js';

const filler = (n: number, word = 'lorem') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('whyNot: one certain cause per corpus', () => {
  it('reports a retrieved item with its rank and no cause', async () => {
    const p = await makePipeline([
      { id: 'a', text: 'Refunds take five business days.' },
      { id: 'b', text: 'Shipping is free over fifty dollars.' },
    ]);
    const r = await whyNot(p, 'how long do refunds take', 'a', { k: 1 });
    expect(r.retrieved).toBe(true);
    expect(r.rank).toBe(1);
    expect(r.causes).toEqual([]);
    expect(r.summary).toMatch(/rank 1/);
  });

  it('not-in-corpus: unknown id and absent answer text', async () => {
    const p = await makePipeline([{ id: 'a', text: 'Refunds take five business days.' }]);
    const r1 = await whyNot(p, 'refunds', 'missing-doc');
    expect(r1.causes[0]?.cause).toBe('not-in-corpus');
    const r2 = await whyNot(p, 'refunds', { answer: 'thirty days' });
    expect(r2.causes[0]?.cause).toBe('not-in-corpus');
    // whitespace-insensitive answer lookup finds text across a line break
    const r3 = await whyNot(p, 'refunds', { answer: 'five   business\ndays' });
    expect(r3.target.match).toBe('whitespace-insensitive');
    expect(r3.target.span).toEqual({ start: 13, end: 31 });
  });

  it('not-indexed: the chunk is in no index', async () => {
    const p = await makePipeline([
      { id: 'a', text: 'Refunds take five business days.' },
      { id: 'b', text: 'Shipping is free.' },
    ]);
    const id = p.chunksOf('a')[0]!.id;
    p.bm25!.remove([id]);
    await p.vectorIndex!.remove([id]);
    const r = await whyNot(p, 'refunds business days', 'a', { k: 1 });
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('not-indexed');
    expect(r.causes[0]?.decisive).toBe(true);
  });

  it('not-indexed: a chunk that GloVe embeds to the zero vector is searchable by BM25 only, and whyNot says why', async () => {
    const glove = await StaticEmbedder.fromFile(
      path.resolve(__dirname, '../../../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt'),
    );
    // Both words are outside GloVe's 10k vocabulary (a real PubMed heading from the Chroma corpora).
    const p = await makePipeline(
      [
        { id: 'a', text: 'Immunoprecipitation assay' },
        { id: 'b', text: 'The weather was cold and wet all week.' },
      ],
      { embedder: glove, bm25: false },
    );
    const zero = p.chunksWithoutVector();
    expect(zero).toEqual([p.chunksOf('a')[0]!.id]);
    const r = await whyNot(p, 'immunoprecipitation', 'a', { k: 1 });
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('not-indexed');
    expect(r.causes[0]?.evidence.zeroVector).toEqual(zero);
    expect(r.causes[0]?.fix).toMatch(/zero vector/);
  });

  it('split-by-chunking: the gold span straddles a fixed-size boundary', async () => {
    const text = `${'Intro text about nothing much here. '.repeat(2)}The refund window is thirty days for unused items only.`;
    const p = await makePipeline(
      [
        { id: 'a', text },
        { id: 'b', text: 'Shipping takes two days. Returns are handled by mail.' },
      ],
      { chunker: 'fixed:90/0:chars' },
    );
    const start = text.indexOf('The refund window');
    const span = { docId: 'a', start, end: text.length };
    const chunks = p.chunksOf('a');
    expect(chunks.some((c) => c.start <= span.start && c.end >= span.end)).toBe(false);
    const r = await whyNot(p, 'refund window thirty days unused items', span, { k: 1 });
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('split-by-chunking');
    const pieces = r.causes[0]!.evidence.pieces as Array<{ fraction: number }>;
    expect(pieces.length).toBe(2);
    expect(pieces.reduce((s, x) => s + x.fraction, 0)).toBeCloseTo(1, 6);
  });

  it('truncated-at-embedding: the gold text lies beyond maxTokens', async () => {
    const gold = `${filler(30)} the refund policy allows returns within thirty days`;
    const p = await makePipeline(
      [
        { id: 'gold', text: gold },
        { id: 'd1', text: 'refund policy summary for stores' },
        { id: 'd2', text: 'returns policy and refund notes' },
      ],
      { bm25: false, embedder: new TruncatingEmbedder(new HashingEmbedder({ dimensions: 512 }), 10) },
    );
    const start = gold.indexOf('the refund policy');
    const r = await whyNot(
      p,
      'refund policy returns thirty days',
      { docId: 'gold', start, end: gold.length },
      { k: 1 },
    );
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('truncated-at-embedding');
    expect(r.causes[0]?.evidence.shareBeyond).toBe(1);
    expect(r.causes[0]?.evidence.chunkTokens).toBe(38);
  });

  it('lexical-mismatch: no analysed query term occurs in the chunk; stems are shown', async () => {
    const p = await makePipeline(
      [
        { id: 'gold', text: 'Automobiles must be registered annually at the municipal office.' },
        { id: 'd1', text: 'The car park opens yearly for registration of visitors.' },
        { id: 'd2', text: 'Car registration happens yearly, says the car club.' },
      ],
      { bm25: {} },
    );
    const r = await whyNot(p, 'car registration yearly', 'gold', { k: 2 });
    expect(r.retrieved).toBe(false);
    const c = r.causes.find((x) => x.cause === 'lexical-mismatch')!;
    expect(c.evidence.matchedShare).toBe(0);
    // Both lexical fixes were replayed and neither rescues (d2 says "car" twice): zero overlap is still
    // conclusive (decisive), but the first cause is the one whose fix does rescue, replayed through real fusion.
    expect(c.verification?.status).toBe('not-rescued');
    expect(c.decisive).toBe(true);
    expect(r.causes[0]?.cause).toBe('lost-in-fusion');
    expect(r.causes[0]?.verification?.status).toBe('rescued');
    // registration -> registr vs registered -> regist: a stemming difference, shown with both forms
    expect(c.sentence).toMatch(/registration→registr vs registered→regist/);
  });

  it('below-candidate-depth: the candidate lists are cut above the gold rank', async () => {
    const docs = [
      { id: 'd1', text: 'solar panel battery storage inverter guide' },
      { id: 'd2', text: 'solar panel battery storage guide' },
      { id: 'gold', text: 'solar panel battery guide for homes' },
      { id: 'd4', text: 'garden tools and soil' },
      { id: 'd5', text: 'kitchen knives and pans' },
    ];
    const p = await makePipeline(docs);
    const q = 'solar panel battery storage inverter';
    const base = await p.search(q, { k: 3 });
    expect(base.hits.map((h) => h.chunk.docId)).toContain('gold');
    const bm = base.trace.stages
      .find((s) => s.stage === 'bm25')!
      .candidates.find((c) => c.docId === 'gold')!.rank;
    const vr = base.trace.stages
      .find((s) => s.stage === 'vector')!
      .candidates.find((c) => c.docId === 'gold')!.rank;
    const depth = Math.min(bm, vr) - 1;
    expect(depth).toBeGreaterThanOrEqual(1);
    const r = await whyNot(p, q, 'gold', { k: 3, searchOptions: { depth: { bm25: depth, vector: depth } } });
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('below-candidate-depth');
    expect(r.causes[0]?.decisive).toBe(true);
    const lists = r.causes[0]!.evidence.lists as Array<{ rank: number; depth: number }>;
    for (const l of lists) expect(l.rank).toBeGreaterThan(l.depth);
  });

  it('crowded-out: near-duplicate copies take the top slots', async () => {
    const decoy = 'Refund policy: refunds are processed for refund requests. Refund policy applies.';
    const p = await makePipeline([
      { id: 'gold', text: 'A refund is paid within five days of the return.' },
      ...[1, 2, 3, 4].map((i) => ({ id: `copy${i}`, text: `${decoy} Page ${i}.` })),
      { id: 'x', text: 'Gardening tips for spring.' },
    ]);
    const r = await whyNot(p, 'refund policy', 'gold', { k: 2 });
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('crowded-out');
    expect(r.causes[0]?.decisive).toBe(true);
    expect(r.causes[0]?.evidence.dedupedRank).toBeLessThanOrEqual(2);
  });

  it('lost-in-fusion: BM25 has it first, the fusion weights bury it', async () => {
    const animals = ['lion', 'tiger', 'otter', 'eagle', 'moose', 'whale'];
    const many = animals.map((a) => ({ id: a, text: `${a} habitat facts: the ${a} eats and sleeps` }));
    const p = await makePipeline(
      [{ id: 'gold', text: `The zebra ${filler(25, 'word')} habitat facts` }, ...many],
      { fusion: { method: 'weighted', normalization: 'minmax', weights: { bm25: 0.1, vector: 1 } } },
    );
    const r = await whyNot(p, 'zebra habitat facts', 'gold', { k: 3 });
    expect(r.retrieved).toBe(false);
    const c = r.causes[0]!;
    expect(c.cause).toBe('lost-in-fusion');
    expect(c.decisive).toBe(true);
    expect(
      (c.evidence.lists as Array<{ list: string; rank: number }>).find((l) => l.list === 'bm25')?.rank,
    ).toBe(1);
  });

  it('demoted-by-reranker: a re-ranker pushes it from rank 1 out of the top k', async () => {
    const reverse: Reranker = {
      id: 'reverse',
      async rerank(_q, candidates) {
        return [...candidates].reverse().map((c, i) => ({ id: c.id, score: -i }));
      },
    };
    const p = await makePipeline(
      [
        { id: 'gold', text: 'Refunds take five business days.' },
        { id: 'b', text: 'Refund requests by mail.' },
        { id: 'c', text: 'Business hours are nine to five.' },
        { id: 'd', text: 'Shipping days vary.' },
      ],
      { reranker: reverse, rerankDepth: 4 },
    );
    const r = await whyNot(p, 'refunds take five business days', 'gold', { k: 2 });
    expect(r.retrieved).toBe(false);
    expect(r.causes[0]?.cause).toBe('demoted-by-reranker');
    expect(r.causes[0]?.evidence.rankBefore).toBe(1);
    expect(r.causes[0]?.evidence.rankAfter).toBe(4);
  });

  it('rejects bad input with RagscopeError naming the parameter', async () => {
    const p = await makePipeline([{ id: 'a', text: 'Refunds.' }]);
    await expect(whyNot(p, 'refunds', 'a', { k: 0 })).rejects.toThrow(/options\.k/);
    await expect(whyNot(p, 'refunds', { docId: 'a', start: 5, end: 99 })).rejects.toThrow(/expected\.end/);
    await expect(whyNot(p, 'refunds', 42 as unknown as string)).rejects.toThrow(/expected/);
  });
});
