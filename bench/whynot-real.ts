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
import path from 'node:path';
import { createChunker } from '../src/chunkers/spec.js';
import type { Chunk } from '../src/core/document.js';
import { whyNot } from '../src/diagnostics/index.js';
import { loadBeir } from '../src/eval/datasets/beir.js';
import type { EvalQuestion } from '../src/eval/types.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import type { Reranker } from '../src/search/rerank/types.js';
import { FIX_CAUSE, type Retriever, rescues } from './lib/rescue.js';
import { OverrideChunker } from './lib/rescue-reindex.js';
import { firstMiss, hitsOf, K, type Target } from './lib/rescue-target.js';
import { getReranker, MemoEmbedder, makeEmbedder } from './lib/whynot-real-models.js';
import { correct, type Row, reportLines } from './lib/whynot-real-report.js';
import { flag, loadChroma, seededOrder } from './lib/whynot-setup.js';

const args = process.argv.slice(2);
const PER_CONFIG = Number(flag(args, 'per-config', '3'));
const SEED = Number(flag(args, 'seed', '11'));
const EMBEDDERS = flag(args, 'embedders', 'hashing,glove-mean,glove-sif,wink-mean,wink-sif').split(',');
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

const rows: Row[] = [];
const chroma = await loadChroma(root);
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
      const inner = await makeEmbedder(embName, textsForFit, root);
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
      const reranker: Reranker | null = retrievers.includes('hybrid+rerank') ? await getReranker(root) : null;
      const viewOf = (retriever: Retriever): RetrievalPipeline => {
        if (retriever === 'hybrid') return hybrid;
        if (retriever === 'bm25') return hybrid.view({ retrievers: ['bm25'] });
        if (retriever === 'dense') return hybrid.view({ retrievers: ['vector'] });
        return hybrid.view({ reranker: reranker!, rerankDepth: 20 });
      };
      for (const retriever of retrievers) {
        const p = viewOf(retriever);
        // The first PER_CONFIG failures in a seeded order of the questions.
        const sample: Array<{ q: EvalQuestion; target: Target }> = [];
        let scanned = 0;
        for (const q of seededOrder(ds.questions, SEED + rows.length)) {
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

const out = reportLines(rows, { t0, perConfig: PER_CONFIG, seed: SEED, k: K });
console.log(out.join('\n'));
for (const r of rows.filter((x) => !correct(x))) {
  console.log(
    `  wrong: ${r.dataset} ${r.chunker} ${r.embedder} ${r.retriever} q${r.qid}: named ${r.first}, rescued by [${r.rescuers.join(', ')}], decisive [${r.decisive.join(', ')}]`,
  );
}
