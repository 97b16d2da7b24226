/**
 * Why-not agreement on a labelled failure set built from the Chroma chunking-evaluation data.
 *
 * For a seeded sample of questions whose gold span sits inside one chunk and is fully retrieved by the baseline
 * pipeline, retrieval is broken on purpose in one known way per group (the planted cause), and `whyNot` must name
 * that cause FIRST. A planted break that does not make retrieval fail is excluded (and counted).
 *
 *   npx tsx bench/whynot.ts [--per-cause 40] [--seed 7]
 */
import { createChunker } from '../src/chunkers/spec.js';
import type { Chunker } from '../src/chunkers/types.js';
import {
  type Chunk,
  type Document,
  type DocumentInput,
  makeChunk,
  toDocument,
} from '../src/core/document.js';
import { type CauseCode, type WhyNotReport, whyNot } from '../src/diagnostics/index.js';
import { type PipelineConfig, RetrievalPipeline } from '../src/search/pipeline.js';
// The same truncating stand-in the diagnostics tests use: words play the part of model tokens.
import { countWords, TruncatingEmbedder } from '../test/diagnostics/helpers.js';
import { flag, hashingEmbedder, loadChroma, seededOrder } from './lib/whynot-setup.js';

const args = process.argv.slice(2);
const PER_CAUSE = Number(flag(args, 'per-cause', '40'));
const SEED = Number(flag(args, 'seed', '7'));
const K = 5;
const CHUNKER = 'recursive:1000/0:chars';
const TRUNC_TOKENS = 48;
const DECOYS = K;

/** The base chunker, plus extra cuts at given offsets (to plant a boundary inside chosen gold spans). */
class PlantedSplitChunker implements Chunker {
  readonly spec: string;
  constructor(
    private readonly base: Chunker,
    private readonly cuts: Map<string, number[]>,
  ) {
    this.spec = `${base.spec}+planted`;
  }
  async chunk(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    const cuts = this.cuts.get(doc.id) ?? [];
    const out: Chunk[] = [];
    for (const c of await this.base.chunk(doc)) {
      let start = c.start;
      for (const cut of cuts.filter((x) => x > c.start && x < c.end).sort((a, b) => a - b)) {
        out.push(makeChunk(doc, out.length, start, cut, this.spec));
        start = cut;
      }
      out.push(makeChunk(doc, out.length, start, c.end, this.spec));
    }
    return out;
  }
  async chunkWithTrace(input: DocumentInput) {
    return { chunks: await this.chunk(input), boundaries: [] };
  }
}

async function build(docs: Document[], config: Partial<PipelineConfig>): Promise<RetrievalPipeline> {
  const p = new RetrievalPipeline({
    chunker: CHUNKER,
    embedder: hashingEmbedder(),
    vector: { index: 'exact' },
    depth: { bm25: 100, vector: 100 },
    ...config,
  });
  await p.addDocuments(docs);
  return p;
}

interface Q {
  id: string;
  text: string;
  span: { docId: string; start: number; end: number };
}

/** Gold span inside one chunk and fully covered by the top K. */
async function baselineOk(
  p: RetrievalPipeline,
  q: Q,
): Promise<{ chunk: Chunk; report: WhyNotReport } | null> {
  const holder = p.chunksOf(q.span.docId).find((c) => c.start <= q.span.start && c.end >= q.span.end);
  if (!holder) return null;
  const report = await whyNot(p, q.text, q.span, { k: K });
  return report.retrieved ? { chunk: holder, report } : null;
}

const t0 = performance.now();
const data = await loadChroma(process.cwd());
const docs = data.documents;
const questions: Q[] = data.questions
  .filter((q) => q.spans?.length === 1)
  .map((q) => ({ id: q.id, text: q.text, span: q.spans![0]! }));
const order = seededOrder(questions, SEED);

const base = await build(docs, {});
const vecBase = await build(docs, { bm25: false });
const vecTrunc = await build(docs, {
  bm25: false,
  embedder: new TruncatingEmbedder(hashingEmbedder(), TRUNC_TOKENS),
});

type Planted = Exclude<
  CauseCode,
  'not-in-corpus' | 'not-indexed' | 'lost-in-fusion' | 'demoted-by-reranker' | 'outranked'
>;
const rows: Array<{ planted: Planted; qid: string; named: CauseCode | 'none'; second: CauseCode | null }> =
  [];
const excluded: Record<string, number> = {};
const notPlantable: Record<string, number> = {};
const record = (planted: Planted, qid: string, r: WhyNotReport) => {
  if (r.retrieved) {
    excluded[planted] = (excluded[planted] ?? 0) + 1;
    return false;
  }
  rows.push({ planted, qid, named: r.causes[0]?.cause ?? 'none', second: r.causes[1]?.cause ?? null });
  return true;
};

// Candidates: baseline retrieves the gold span fully, from a single chunk.
const eligible: Array<{ q: Q; chunk: Chunk; report: WhyNotReport }> = [];
for (const q of order) {
  const ok = await baselineOk(base, q);
  if (ok) eligible.push({ q, ...ok });
}
const pick = (tag: string) => seededOrder(eligible, SEED + tag.length * 101);

// 1. split-by-chunking: a boundary planted at the middle of the gold span (on a space).
{
  const sample = pick('split').slice(0, PER_CAUSE);
  const cuts = new Map<string, number[]>();
  for (const { q } of sample) {
    const text = docs.find((d) => d.id === q.span.docId)!.text;
    const mid = Math.floor((q.span.start + q.span.end) / 2);
    const sp = text.indexOf(' ', mid);
    const cut = sp > 0 && sp < q.span.end - 1 ? sp + 1 : mid;
    const list = cuts.get(q.span.docId) ?? [];
    list.push(cut);
    cuts.set(q.span.docId, list);
  }
  const p = await build(docs, { chunker: new PlantedSplitChunker(createChunker(CHUNKER), cuts) });
  for (const { q } of sample) record('split-by-chunking', q.id, await whyNot(p, q.text, q.span, { k: K }));
}

// 2. lexical-mismatch: strip from the query every word whose analysed form occurs in the gold chunk.
{
  let n = 0;
  for (const { q, chunk } of pick('lexical')) {
    if (n >= PER_CAUSE) break;
    const terms = base.bm25!.termsOf(chunk.id);
    const words = q.text.split(/\s+/).filter(Boolean);
    const kept = words.filter((w) => {
      const analysed = base.bm25!.analyzer.analyze(w);
      return analysed.length === 0 || analysed.every((a) => !terms.has(a));
    });
    if (base.bm25!.analyzer.analyze(kept.join(' ')).length === 0 || kept.length === words.length) {
      notPlantable['lexical-mismatch'] = (notPlantable['lexical-mismatch'] ?? 0) + 1;
      continue;
    }
    n++;
    record('lexical-mismatch', q.id, await whyNot(base, kept.join(' '), q.span, { k: K }));
  }
}

// 3. below-candidate-depth: both candidate lists cut just above the gold chunk's rank.
{
  let n = 0;
  for (const { q, chunk, report } of pick('depth')) {
    if (n >= PER_CAUSE) break;
    const rankIn = (stage: string) =>
      report.result.trace.stages
        .find((s) => s.stage === stage)
        ?.candidates.find((c) => c.chunkId === chunk.id)?.rank ?? Infinity;
    const d = Math.min(rankIn('bm25'), rankIn('vector'), 100) - 1;
    if (d < 1) {
      notPlantable['below-candidate-depth'] = (notPlantable['below-candidate-depth'] ?? 0) + 1;
      continue;
    }
    n++;
    record(
      'below-candidate-depth',
      q.id,
      await whyNot(base, q.text, q.span, { k: K, searchOptions: { depth: { bm25: d, vector: d } } }),
    );
  }
}

// 4. crowded-out: K near-duplicate decoys per question (query + a real distractor chunk, numbered copies).
{
  const sample = pick('crowded').slice(0, PER_CAUSE);
  const decoys: Document[] = [];
  for (const [i, { q, chunk, report }] of sample.entries()) {
    const distractor =
      report.result.hits.find((h) => h.chunk.id !== chunk.id)?.chunk.text.slice(0, 300) ?? '';
    for (let c = 0; c < DECOYS; c++) {
      decoys.push({ id: `decoy-${i}-${c}`, text: `${q.text}\n\n${distractor}\n\n(copy ${c + 1})` });
    }
  }
  const p = await build([...docs, ...decoys], {});
  for (const { q } of sample) record('crowded-out', q.id, await whyNot(p, q.text, q.span, { k: K }));
}

// 5. truncated-at-embedding: vector-only pipeline whose embedder reads TRUNC_TOKENS words; gold beyond them.
{
  let n = 0;
  for (const q of seededOrder(questions, SEED + 5)) {
    if (n >= PER_CAUSE) break;
    const holder = vecBase.chunksOf(q.span.docId).find((c) => c.start <= q.span.start && c.end >= q.span.end);
    if (!holder) continue;
    const before = countWords(holder.text.slice(0, q.span.start - holder.start));
    if (before < TRUNC_TOKENS + 2) continue;
    const ok = await whyNot(vecBase, q.text, q.span, { k: K });
    if (!ok.retrieved) continue;
    n++;
    record('truncated-at-embedding', q.id, await whyNot(vecTrunc, q.text, q.span, { k: K }));
  }
}

const planted: Planted[] = [
  'split-by-chunking',
  'truncated-at-embedding',
  'below-candidate-depth',
  'lexical-mismatch',
  'crowded-out',
];
const namedSet = [...new Set(rows.map((r) => r.named))];
const agree = rows.filter((r) => r.named === r.planted).length;
const lines: string[] = [];
lines.push(`| planted \\ named first | n | ${namedSet.join(' | ')} | agreement |`);
lines.push(`|---|---|${namedSet.map(() => '---').join('|')}|---|`);
for (const p of planted) {
  const rs = rows.filter((r) => r.planted === p);
  const cells = namedSet.map((nm) => String(rs.filter((r) => r.named === nm).length));
  const a = rs.filter((r) => r.named === p).length;
  lines.push(
    `| ${p} | ${rs.length} | ${cells.join(' | ')} | ${rs.length ? ((100 * a) / rs.length).toFixed(1) : 'n/a'}% |`,
  );
}
console.log(lines.join('\n'));
console.log(
  `\nAgreement: ${agree}/${rows.length} = ${((100 * agree) / Math.max(1, rows.length)).toFixed(1)}% (k=${K}, seed=${SEED}, ${PER_CAUSE} per cause)`,
);
console.log(
  `Eligible baseline questions (single gold span, in one chunk, fully retrieved): ${eligible.length} of ${questions.length}`,
);
console.log(`Excluded (planted break did not make retrieval fail): ${JSON.stringify(excluded)}`);
console.log(`Not plantable (skipped before planting): ${JSON.stringify(notPlantable)}`);
for (const r of rows.filter((x) => x.named !== x.planted)) {
  console.log(`  disagreement q${r.qid}: planted ${r.planted}, named ${r.named} (then ${r.second})`);
}
console.log(`Time: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
