import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Chunk } from '../../src/core/document.js';
import { replay, type WhyNotPipeline, whyNot } from '../../src/diagnostics/index.js';
import { jaccard, shingles } from '../../src/diagnostics/similarity.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { makePipeline } from './helpers.js';

const root = path.resolve(__dirname, '../..');
const chromaDir = path.resolve(root, '../shared/data/chroma');
const glovePath = path.resolve(root, '../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');

async function sotu() {
  const data = await loadChromaSpans(chromaDir).catch((e) => {
    throw new Error(`Chroma data missing at ${chromaDir} (see ../shared/data/README.md): ${e.message}`);
  });
  const docs = data.documents.filter((d) => d.id === 'state_of_the_union');
  const questions = data.questions.filter(
    (q) => q.spans?.length === 1 && q.spans[0]!.docId === 'state_of_the_union',
  );
  return { docs, questions };
}

describe('why-not on real failures (Chroma State of the Union, GloVe 50d)', () => {
  it('never names crowded-out when the hits above share no text (mean GloVe vectors are all "near-duplicates" by cosine)', async () => {
    const { docs, questions } = await sotu();
    const glove = await StaticEmbedder.fromFile(glovePath);
    const p = await makePipeline(docs, { chunker: 'recursive:400/0', embedder: glove });
    let failures = 0;
    for (const q of questions.slice(0, 40)) {
      const r = await whyNot(p, q.text, q.spans![0]!, { k: 5 });
      if (r.retrieved) continue;
      failures++;
      const crowded = r.causes.find((c) => c.cause === 'crowded-out');
      if (!crowded) continue;
      // When it is named, the copies really repeat text.
      const redundant = crowded.evidence.redundant as Array<{ chunkId: string; duplicateOf: string }>;
      for (const x of redundant) {
        const a = shingles(p.getChunk(x.chunkId)!.text);
        const b = shingles(p.getChunk(x.duplicateOf)!.text);
        expect(jaccard(a, b)).toBeGreaterThan(0.3);
      }
    }
    expect(failures).toBeGreaterThan(5);
  }, 60_000);

  it('a decisive cause is one whose fix was replayed and rescued; a depth fix names a depth that was verified', async () => {
    const { docs, questions } = await sotu();
    const glove = await StaticEmbedder.fromFile(glovePath);
    const p = await makePipeline(docs, {
      chunker: 'recursive:400/0',
      embedder: glove,
      depth: { bm25: 10, vector: 10 },
    });
    let checked = 0;
    for (const q of questions) {
      const r = await whyNot(p, q.text, q.spans![0]!, { k: 5 });
      if (r.retrieved) continue;
      const first = r.causes[0]!;
      if (first.cause !== 'outranked') {
        expect(first.decisive).toBe(true);
        expect(first.verification?.status).toBe('rescued');
      }
      for (const c of r.causes) {
        // The lexical fix on a hybrid index never says "turn hybrid search on".
        if (c.cause === 'lexical-mismatch') expect(c.fix).not.toMatch(/hybrid/i);
        if (c.cause !== 'below-candidate-depth') continue;
        const depth = (c.verification!.applied as { depth: Record<string, number> }).depth;
        for (const d of Object.values(depth)) expect(d).toBeLessThanOrEqual(p.stats.chunks);
        // The verdict is what a real search at that depth does.
        const again = await p.search(q.text, { k: 5, depth });
        const span = q.spans![0]!;
        let covered = 0;
        for (const h of again.hits)
          covered += Math.max(0, Math.min(h.chunk.end, span.end) - Math.max(h.chunk.start, span.start));
        expect(c.decisive).toBe(covered >= span.end - span.start);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('a paraphrased --answer is located by its closest support, never "not in corpus"', async () => {
    const { docs } = await sotu();
    const glove = await StaticEmbedder.fromFile(glovePath);
    const p = await makePipeline(docs, { chunker: 'recursive:400/0', embedder: glove });
    const text = docs[0]!.text;
    const gold = text.indexOf('Sweden officially joined');
    expect(gold).toBeGreaterThan(0);
    const r = await whyNot(p, 'Which country joined NATO on the day of the speech?', {
      answer: 'This morning Sweden joined NATO officially; Finland had joined the alliance the year before.',
    });
    expect(r.causes.map((c) => c.cause)).not.toContain('not-in-corpus');
    expect(r.target.match).toBe('support');
    expect(r.target.support!.confidence).toBeGreaterThanOrEqual(0.6);
    expect(r.target.span!.start).toBeLessThanOrEqual(gold);
    expect(r.target.span!.end).toBeGreaterThan(gold);
    expect(r.summary).toMatch(/^Not found verbatim; closest support at state_of_the_union \[\d+, \d+\)/);
    // An answer with nothing behind it is still not in the corpus.
    const none = await whyNot(p, 'what is the capital of Peru?', { answer: 'Lima is the capital of Peru.' });
    expect(none.causes[0]?.cause).toBe('not-in-corpus');
  }, 60_000);
});

describe('why-not fixes say what they really do', () => {
  it('a fusion fix whose top k equals one list alone says it drops the other list', async () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    const animals = ['lion', 'tiger', 'otter', 'eagle', 'moose', 'whale'];
    const p = await makePipeline(
      [
        { id: 'gold', text: `The zebra ${filler(25)} habitat facts` },
        ...animals.map((a) => ({ id: a, text: `${a} habitat facts: the ${a} eats and sleeps` })),
      ],
      { fusion: { method: 'weighted', normalization: 'minmax', weights: { bm25: 0.1, vector: 1 } } },
    );
    const r = await whyNot(p, 'zebra habitat facts', 'gold', { k: 3 });
    const c = r.causes.find((x) => x.cause === 'lost-in-fusion')!;
    expect(c.verification?.status).toBe('rescued');
    const applied = c.verification!.applied;
    const top = (params: object) =>
      replay(r.result.trace, { ...params, rerank: false })
        .hits.map((h) => h.chunkId)
        .join();
    const equalsBm25 =
      top(applied) === top({ method: 'weighted', normalization: 'minmax', weights: { bm25: 1, vector: 0 } });
    const equalsVec =
      top(applied) === top({ method: 'weighted', normalization: 'minmax', weights: { bm25: 0, vector: 1 } });
    expect(/dropping the vector list/.test(c.fix)).toBe(equalsBm25);
    expect(/dropping the bm25 list/.test(c.fix)).toBe(equalsVec);
    expect(c.fix).toMatch(/moves from rank \d+ to rank \d+/);
  });

  it("a user's own retriever (search, getChunk, chunksOf, getDocument only) gets 'cannot check', never a decisive not-indexed", async () => {
    const inner = await makePipeline([
      { id: 'a', text: 'Refunds take five business days after we receive the item.' },
      { id: 'b', text: 'Shipping is free over fifty dollars.' },
      { id: 'c', text: 'Our store sells garden tools and refunds shipping.' },
    ]);
    const own: WhyNotPipeline = {
      search: (q, o) => inner.search(q, o),
      getChunk: (id) => inner.getChunk(id),
      chunksOf: (id) => inner.chunksOf(id) as Chunk[],
      getDocument: (id) => inner.getDocument(id),
    };
    const r = await whyNot(own, 'free shipping', 'a', { k: 1 });
    expect(r.retrieved).toBe(false);
    expect(r.causes.some((c) => c.cause === 'not-indexed' && c.decisive)).toBe(false);
    expect(r.causes[0]?.decisive).toBe(false);
    expect(r.cannotCheck.map((x) => x.cause)).toContain('not-indexed');
    expect(r.cannotCheck.find((x) => x.cause === 'not-indexed')!.missing).toMatch(/bm25/);
  });
});
