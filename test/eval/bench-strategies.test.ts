import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { runBench } from '../../src/eval/bench.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { type QueryRewriter, QueryVariantSearch } from '../../src/search/query-variants.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';
import { runCli } from '../cli/run-cli.js';
import { StubChatServer } from '../generate/stub-server.js';

let data: EvalDataset;
// A deterministic rewriter: the question without its first word, and its last five words.
const rewriter: QueryRewriter = {
  id: 'tail-words',
  rewrite: async (q) => {
    const w = q.split(/\s+/);
    return [w.slice(1).join(' '), w.slice(-5).join(' ')];
  },
};

beforeAll(async () => {
  const all = await loadChromaSpans(sharedPath('data/chroma'));
  const keep = new Set(['state_of_the_union', 'chatlogs']);
  data = {
    ...all,
    documents: all.documents.filter((d) => keep.has(d.id)),
    questions: all.questions.filter((q) => q.spans?.every((s) => keep.has(s.docId))).slice(0, 30),
  };
});

describe('query variants as a bench retriever', () => {
  it('<base>:<rewriter> scores the same top k as QueryVariantSearch over that base retriever (Chroma)', async () => {
    const report = await runBench({
      dataset: data,
      chunkers: ['recursive:400/0'],
      retrievers: ['bm25', 'bm25:tail'],
      rewriters: { tail: rewriter },
      cacheDir: false,
      maxFailures: 5,
      iterations: 200,
    });
    expect(report.configs.map((c) => c.id)).toEqual([
      'recursive:400/0 + bm25',
      'recursive:400/0 + bm25:tail',
    ]);
    const pipeline = new RetrievalPipeline({ chunker: 'recursive:400/0', vector: false });
    await pipeline.addDocuments(data.documents);
    const search = new QueryVariantSearch(pipeline, rewriter);
    let differ = 0;
    for (const pq of report.perQuery) {
      const { hits } = await search.search(pq.question, { k: 5 });
      expect(pq.hits!['recursive:400/0 + bm25:tail']).toEqual(
        hits.map((h) => ({ docId: h.chunk.docId, start: h.chunk.start, end: h.chunk.end })),
      );
      if (
        JSON.stringify(pq.hits!['recursive:400/0 + bm25']) !==
        JSON.stringify(pq.hits!['recursive:400/0 + bm25:tail'])
      )
        differ++;
    }
    expect(differ).toBeGreaterThan(0);
    expect(report.comparisons).toHaveLength(1);
    expect(
      report.failures!.filter((f) => f.configId.endsWith('bm25:tail')).every((f) => f.causes.length === 0),
    ).toBe(true);
  });

  it('bad retriever specs are RagscopeErrors naming the spec, before any work', async () => {
    for (const [spec, why] of [
      ['hybrid:nope', /no query rewriter named "nope"/],
      ['rerank:tail', /unknown base retriever "rerank"/],
    ] as const) {
      const err = await runBench({
        dataset: data,
        retrievers: [spec as never],
        rewriters: { tail: rewriter },
        cacheDir: false,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).toContain(JSON.stringify(spec));
    }
  });
});

describe('ragscope bench with the strategies (CLI)', () => {
  const stub = new StubChatServer((_doc, _window, user) => {
    const q = /<question>\n([\s\S]*)\n<\/question>/.exec(user)?.[1] ?? '';
    return JSON.stringify([q.toLowerCase(), q.split(' ').slice(-6).join(' '), `${q} (State of the Union)`]);
  });
  let out: string;
  beforeAll(async () => {
    await stub.start();
    out = mkdtempSync(path.join(os.tmpdir(), 'ragscope-strategies-'));
  });
  afterAll(async () => {
    await stub.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('runs parent-child, a filter and multi-query through the stub chat server end to end', async () => {
    const chroma = sharedPath('data/chroma');
    const file = path.join(chroma, 'corpora', 'state_of_the_union.md');
    const r = await runCli([
      'bench',
      '--dataset',
      `chroma:${chroma}`,
      '--chunkers',
      'recursive:200/0,recursive:200/0:parent=800',
      '--retrievers',
      'bm25,bm25:multiquery',
      '--rewrite-llm',
      `http:${stub.url}#stub`,
      '--filter',
      `file=${file}`,
      '--max-questions',
      '40',
      '--max-failures',
      '0',
      '--no-cache',
      '--format',
      'json',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.configs.map((c: { id: string }) => c.id)).toEqual([
      'recursive:200/0 + bm25',
      'recursive:200/0 + bm25:multiquery',
      'recursive:200/0:parent=800 + bm25',
      'recursive:200/0:parent=800 + bm25:multiquery',
    ]);
    for (const pq of report.perQuery)
      for (const hits of Object.values(pq.hits) as Array<Array<{ docId: string }>>)
        for (const h of hits) expect(h.docId).toBe('state_of_the_union');
    expect(stub.received.length).toBeGreaterThanOrEqual(report.dataset.questions);
    expect(report.warnings.some((w: string) => w.startsWith(`filter file=${file}`))).toBe(true);
  });

  it('a variant retriever without --rewrite-llm is a usage error', async () => {
    const r = await runCli([
      'bench',
      '--dataset',
      `chroma:${sharedPath('data/chroma')}`,
      '--retrievers',
      'hybrid:hyde',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/need --rewrite-llm/);
  });
});
