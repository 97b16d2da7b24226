// The programs scripts/package-test.mjs writes into the fresh project that installed the tarball: they are what a
// user's own code does with the package, in ESM, in CJS and in TypeScript.

/**
 * The body shared by the ESM and CJS checks; `load(name)` is `import(name)` or `require(name)`. It checks that every
 * subpath exports the same objects as the root, that the HTML report renders (it inlines Chart.js, which the ESM
 * build once failed to find), that a chunker keeps exact offsets, and that each optional peer, when used while
 * absent, fails with RagscopeError('MISSING_DEPENDENCY') naming the package to install.
 */
function body(subpaths) {
  return `
  const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const root = await load('ragscope');
  const rootNames = Object.keys(root);
  if (rootNames.length < 50) throw new Error('ragscope exports only ' + rootNames.length + ' names');
  let shared = 0;
  for (const sub of ${JSON.stringify(subpaths)}) {
    const mod = await load('ragscope/' + sub);
    const names = Object.keys(mod).filter((n) => n !== 'default' && n !== '__esModule');
    if (names.length === 0) throw new Error('ragscope/' + sub + ' exports nothing');
    for (const n of names) {
      if (root[n] !== mod[n]) throw new Error('ragscope/' + sub + '.' + n + ' is not the root export of that name');
      shared++;
    }
  }
  const { validateReport, renderHtml } = await load('ragscope/report');
  validateReport(report);
  const html = renderHtml(report);
  if (!html.includes('<canvas') || html.length < 100000) {
    throw new Error('renderHtml gave ' + html.length + ' chars without the inlined Chart.js and canvases');
  }
  const { FixedChunker, SentenceChunker } = await load('ragscope/chunkers');
  const doc = { id: 'd', text: 'One sentence here. Another one there!\\n\\nA third sentence, longer than the others. '.repeat(20) };
  for (const chunker of [new FixedChunker({ size: 60 }), new SentenceChunker({ size: 120 })]) {
    const chunks = chunker.chunkSync(doc);
    if (chunks.length < 2) throw new Error(chunker.constructor.name + ' made ' + chunks.length + ' chunks');
    for (const c of chunks) {
      if (doc.text.slice(c.start, c.end) !== c.text) throw new Error('chunk offsets are not exact: ' + c.id);
    }
  }
  const { RagscopeError } = root;
  const { VectorIndex, CrossEncoderReranker } = await load('ragscope/search');
  const { TransformersEmbedder } = await load('ragscope/embedders');
  const peers = [
    ['hnswlib-node', () => new VectorIndex({ dimensions: 3 }).add(['a'], [new Float32Array([1, 0, 0])])],
    ['@huggingface/transformers', () => new TransformersEmbedder({ model: 'Xenova/all-MiniLM-L6-v2' }).load()],
    ['@huggingface/transformers', () => new CrossEncoderReranker().load()],
    ['pg', async () => (await load('ragscope/postgres')).PostgresIndex.open({ db: 'postgres://127.0.0.1:9/none' })],
    ['@langchain/core', async () => (await load('ragscope/langchain')).toLangChainEmbeddings(new root.HashingEmbedder())],
  ];
  for (const [pkg, use] of peers) {
    const err = await use().then(() => null, (e) => e);
    if (!(err instanceof RagscopeError) || err.code !== 'MISSING_DEPENDENCY' || !err.message.includes('npm install ' + pkg)) {
      throw new Error('using ' + pkg + ' while it is absent should throw MISSING_DEPENDENCY, got: ' + err);
    }
  }
  console.log(rootNames.length + ' root exports, ' + shared + ' subpath exports identical to them, renderHtml ' +
    html.length + ' chars, exact chunk offsets, MISSING_DEPENDENCY for ' + peers.length + ' uses of absent peers');
`;
}

/** The ESM check (`check.mjs`). */
export function checkProgramEsm(subpaths) {
  return `import { readFileSync } from 'node:fs';
const load = (name) => import(name);
${body(subpaths)}`;
}

/** The CJS check (`check.cjs`): `require` of every entry. */
export function checkProgramCjs(subpaths) {
  return `'use strict';
const { readFileSync } = require('node:fs');
const load = async (name) => require(name);
(async () => {
${body(subpaths)}
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;
}

/**
 * A TypeScript file that imports the root and every subpath, with the types users meet at each subpath, and uses
 * them; tsc checks it as .mts (node16, import condition), .cts (node16, require condition) and .ts (bundler).
 */
export function typesProgram() {
  return `import * as root from 'ragscope';
import { RagscopeError, type RagscopeErrorCode } from 'ragscope';
import { type Chunk, type Document, type DocumentInput, type Embedder, FixedChunker } from 'ragscope/chunkers';
import { type Embedder as EmbedderFromEmbedders, HashingEmbedder } from 'ragscope/embedders';
import type {
  Chunk as SearchChunk,
  Document as SearchDocument,
  Ledger,
  SearchHit,
  SearchResult,
  SearchTrace,
} from 'ragscope/search';
import type { SearchResult as DiagnosticsSearchResult, WhyNotReport } from 'ragscope/diagnostics';
import type { BenchReport, Document as EvalDocument, EvalDataset } from 'ragscope/eval';
import { type BenchReport as ReportBenchReport, type ReportWriteFailure, renderHtml } from 'ragscope/report';
import { type PostgresIndexOptions, PostgresTableRetriever } from 'ragscope/postgres';
import { type LangChainDoc, fromLangChainRetriever } from 'ragscope/langchain';
import type { Retriever, RetrievedHit } from 'ragscope/search';

const doc: Document = { id: 'a', text: 'Refunds take five days. Shipping is free.' };
const input: DocumentInput = { pageContent: 'LangChain document', metadata: {} };
const chunks: Chunk[] = new FixedChunker({ size: 10 }).chunkSync(doc);
const searchChunk: SearchChunk | undefined = chunks[0];
const embedder: Embedder = new HashingEmbedder();
const sameEmbedder: EmbedderFromEmbedders = embedder;
const code: RagscopeErrorCode = 'MISSING_DEPENDENCY';
const isError = (e: unknown): e is RagscopeError => e instanceof RagscopeError && e.code === code;
const ledgerOf = (hit: SearchHit): Ledger => hit.ledger;
const traceOf = (r: SearchResult): SearchTrace => r.trace;
const sameResult = (r: DiagnosticsSearchResult): SearchResult => r;
const html = (r: BenchReport): string => renderHtml(r satisfies ReportBenchReport);
const docs = (d: EvalDocument[]): SearchDocument[] => d;
const mine: Retriever = fromLangChainRetriever({ invoke: async (_q: string): Promise<LangChainDoc[]> => [] });
const pgOptions: PostgresIndexOptions = { db: 'postgres://127.0.0.1:5432/app', prefix: 'kb' };
const firstHit = async (): Promise<RetrievedHit | undefined> => (await mine.retrieve('q', 1))[0];
type Uses = [WhyNotReport, EvalDataset, ReportWriteFailure, typeof root.FixedChunker, typeof input, typeof PostgresTableRetriever];
export const uses: unknown[] = [searchChunk, sameEmbedder, isError, ledgerOf, traceOf, sameResult, html, docs, pgOptions, firstHit];
export type { Uses };
`;
}
