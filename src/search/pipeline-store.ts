import { createHash } from 'node:crypto';
import { indexText } from '../chunkers/contextual.js';
import type { Chunker } from '../chunkers/types.js';
import { type Chunk, type Document, type DocumentInput, metadataJson, toDocument } from '../core/document.js';
import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import type { Bm25Index } from './bm25.js';
import { emptyReport, type IndexReport } from './pipeline-config.js';
import type { VectorSearchIndex } from './types.js';

interface DocEntry {
  doc: Document;
  textHash: string;
  metaJson: string;
  chunkIds: string[];
}

/** @internal State moved in and out by persistence. */
export interface PipelineState {
  /** `metaJson` (the metadata's JSON, when the caller already has it) spares a `JSON.stringify` per document. */
  docs: Array<{ doc: Document; textHash: string; chunkIds: string[]; metaJson?: string }>;
  chunks: Chunk[];
  vectors: Map<string, Float32Array>;
}

/**
 * A document with the chunks the caller already made, for {@link RetrievalPipeline.addChunks}: every chunk must be
 * exact, `document.text.slice(chunk.start, chunk.end) === chunk.text`, with `chunk.docId` the document's id.
 *
 * @example
 * ```ts
 * const document = { id: 'faq', text: 'Refunds take 5 days. Shipping is free.' };
 * const item: ChunkedDocument = { document, chunks: new RecursiveChunker({ size: 20 }).chunkSync(document) };
 * ```
 */
export interface ChunkedDocument {
  document: DocumentInput;
  chunks: readonly Chunk[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const isBlank = (text: string) => !/\S/.test(text);

/**
 * The stores behind a pipeline and its views: documents, chunks, vectors and the BM25 / vector indexes, kept
 * consistent (the same chunk ids everywhere; blank chunks not indexed), with mutations run one at a time. @internal
 */
export class PipelineStore {
  readonly docs = new Map<string, DocEntry>();
  readonly chunks = new Map<string, Chunk>();
  readonly vectors = new Map<string, Float32Array>();
  readonly noVector = new Set<string>();
  private mutations: Promise<void> = Promise.resolve();

  constructor(
    readonly chunker: Chunker,
    readonly embedder: Embedder | undefined,
    readonly bm25: Bm25Index | null,
    readonly vectorIndex: VectorSearchIndex | null,
    private readonly embedBatchSize: number,
  ) {}

  /** Run index mutations one at a time, in call order (concurrent add/update/remove calls queue up). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.mutations.then(task, task);
    this.mutations = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  add(docs: DocumentInput[]): Promise<IndexReport> {
    const normalized = normalizeInputs(docs);
    return this.exclusive(() => {
      this.checkNew(normalized, 'docs');
      return this.upsert(normalized);
    });
  }

  update(docs: DocumentInput[]): Promise<IndexReport> {
    const normalized = normalizeInputs(docs);
    return this.exclusive(() => this.upsert(normalized));
  }

  addChunks(items: readonly ChunkedDocument[]): Promise<IndexReport> {
    if (!Array.isArray(items)) invalidArgument('items', items, 'an array of { document, chunks }');
    const given = new Map<string, Chunk[]>();
    const owner = new Map<string, string>();
    const docs = normalizeInputs(
      items.map((item, i) => {
        if (item === null || typeof item !== 'object')
          invalidArgument(`items[${i}]`, item, '{ document, chunks }');
        return item.document;
      }),
      'items',
      '.document',
    );
    docs.forEach((doc, i) => {
      const chunks = items[i]!.chunks;
      if (!Array.isArray(chunks)) invalidArgument(`items[${i}].chunks`, chunks, 'an array of chunks');
      chunks.forEach((c, j) => {
        checkExactChunk(`items[${i}].chunks[${j}]`, doc, c);
        const other = owner.get(c.id);
        if (other !== undefined)
          invalidArgument(`items[${i}].chunks[${j}].id`, c.id, `a chunk id not also given for "${other}"`);
        owner.set(c.id, doc.id);
      });
      given.set(doc.id, [...chunks]);
    });
    return this.exclusive(() => {
      this.checkNew(docs, 'items', '.document');
      for (const [id, doc] of owner) {
        const known = this.chunks.get(id);
        if (known && known.docId !== doc)
          invalidArgument(
            'items',
            id,
            `chunk ids not already indexed for another document ("${known.docId}")`,
          );
      }
      return this.upsert(docs, given);
    });
  }

  remove(ids: string[]): Promise<IndexReport> {
    if (!Array.isArray(ids)) invalidArgument('ids', ids, 'an array of document ids');
    return this.exclusive(async () => {
      const report = emptyReport();
      const dropped: string[] = [];
      for (const id of new Set(ids)) {
        const entry = this.docs.get(id);
        if (!entry) continue;
        for (const c of entry.chunkIds) dropped.push(c);
        this.docs.delete(id);
        report.removed.push(id);
      }
      await this.dropChunks(dropped);
      report.chunksRemoved = dropped.length;
      return report;
    });
  }

  private checkNew(docs: readonly Document[], param: string, suffix = ''): void {
    docs.forEach((doc, i) => {
      if (this.docs.has(doc.id)) {
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `${param}[${i}]${suffix}.id ${JSON.stringify(doc.id)} is already indexed; use updateDocuments to replace it`,
          { param: `${param}[${i}]${suffix}.id`, value: doc.id },
        );
      }
    });
  }

  /** Index `docs`, chunked by the chunker or taken from `given` (chunks the caller made). */
  private async upsert(docs: Document[], given?: ReadonlyMap<string, Chunk[]>): Promise<IndexReport> {
    const report = emptyReport();
    // 1. Decide and chunk (no state change yet, so a failing chunker/embedder leaves the pipeline as it was).
    const work: Array<{ doc: Document; textHash: string; metaJson: string; chunks: Chunk[] }> = [];
    for (const doc of docs) {
      const textHash = sha256(doc.text);
      const metaJson = metadataJson(doc);
      const old = this.docs.get(doc.id);
      if (old && old.textHash === textHash && old.metaJson === metaJson) {
        report.unchanged.push(doc.id);
        continue;
      }
      (old ? report.updated : report.added).push(doc.id);
      const chunks = (given?.get(doc.id) ?? (await this.chunker.chunk(doc))).filter((c) => !isBlank(c.text));
      work.push({ doc, textHash, metaJson, chunks });
    }
    // 2. Embed chunks whose id is new.
    const toEmbed = work.flatMap((w) => w.chunks.filter((c) => !this.chunks.has(c.id)));
    const newVectors = new Map<string, Float32Array>();
    if (this.vectorIndex && this.embedder && toEmbed.length > 0) {
      for (let i = 0; i < toEmbed.length; i += this.embedBatchSize) {
        const batch = toEmbed.slice(i, i + this.embedBatchSize);
        const vectors = await this.embedder.embed(
          batch.map((c) => indexText(c, 'embed')),
          { kind: 'passage' },
        );
        this.checkVectors(batch, vectors, newVectors, report);
      }
      report.chunksEmbedded = toEmbed.length;
    }
    // 3. Commit: drop chunks that disappeared, add new ones, refresh kept ones (metadata may have changed).
    const dropped: string[] = [];
    const added: Chunk[] = [];
    for (const { doc, textHash, metaJson, chunks } of work) {
      const old = this.docs.get(doc.id);
      const keep = new Set(chunks.map((c) => c.id));
      if (old) for (const id of old.chunkIds) if (!keep.has(id)) dropped.push(id);
      for (const c of chunks) if (!this.chunks.has(c.id)) added.push(c);
      this.docs.set(doc.id, { doc, textHash, metaJson, chunkIds: chunks.map((c) => c.id) });
    }
    await this.dropChunks(dropped);
    for (const { chunks } of work) for (const c of chunks) this.chunks.set(c.id, c);
    this.bm25?.add(added.map((c) => ({ id: c.id, docId: c.docId, text: indexText(c, 'bm25') })));
    if (this.vectorIndex && added.length > 0) {
      const ids = added.map((c) => c.id).filter((id) => newVectors.has(id));
      const vectors = ids.map((id) => newVectors.get(id)!);
      if (ids.length > 0) await this.vectorIndex.add(ids, vectors);
      for (const [i, id] of ids.entries()) this.vectors.set(id, vectors[i]!);
      for (const id of report.chunksWithoutVector) this.noVector.add(id);
    }
    report.chunksAdded = added.length;
    report.chunksRemoved = dropped.length;
    return report;
  }

  /** Check an embedder's answer for a batch; keep the usable vectors, list the zero ones. */
  private checkVectors(
    batch: readonly Chunk[],
    vectors: Float32Array[],
    out: Map<string, Float32Array>,
    report: IndexReport,
  ): void {
    const embedder = this.embedder!;
    if (!Array.isArray(vectors) || vectors.length !== batch.length) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `embedder ${embedder.id} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${batch.length} texts`,
        { param: 'embedder' },
      );
    }
    batch.forEach((c, j) => {
      const v = vectors[j]!;
      if (v.length !== embedder.dimensions) {
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `embedder ${embedder.id} returned a vector of length ${v.length}, expected ${embedder.dimensions}`,
          { param: 'embedder.dimensions' },
        );
      }
      let sq = 0;
      for (let d = 0; d < v.length; d++) {
        const x = v[d]!;
        if (!Number.isFinite(x)) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            `embedder ${embedder.id} returned a non-finite value ${x} at [${d}] for chunk ${c.id}`,
            { param: 'embedder', chunk: c.id },
          );
        }
        sq += x * x;
      }
      // Cosine is undefined for the zero vector (a text with no known token): such a chunk stays searchable
      // by BM25 and is listed by chunksWithoutVector().
      if (sq === 0 && this.vectorIndex!.metric === 'cosine') report.chunksWithoutVector.push(c.id);
      else out.set(c.id, v);
    });
  }

  private async dropChunks(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) {
      this.chunks.delete(id);
      this.vectors.delete(id);
      this.noVector.delete(id);
    }
    this.bm25?.remove(ids.filter((id) => this.bm25!.has(id)));
    if (this.vectorIndex) await this.vectorIndex.remove(ids);
  }

  exportState(): PipelineState {
    return {
      docs: [...this.docs.values()].map(({ doc, textHash, chunkIds }) => ({ doc, textHash, chunkIds })),
      chunks: [...this.chunks.values()],
      vectors: this.vectors,
    };
  }

  importState(state: PipelineState): void {
    for (const c of state.chunks) this.chunks.set(c.id, c);
    for (const { doc, textHash, chunkIds, metaJson } of state.docs) {
      const json = metaJson ?? JSON.stringify(doc.metadata ?? {});
      this.docs.set(doc.id, { doc, textHash, metaJson: json, chunkIds });
    }
    for (const [id, v] of state.vectors) this.vectors.set(id, v);
    if (this.vectorIndex) for (const c of state.chunks) if (!state.vectors.has(c.id)) this.noVector.add(c.id);
  }
}

function normalizeInputs(docs: DocumentInput[], param = 'docs', suffix = ''): Document[] {
  if (!Array.isArray(docs)) invalidArgument(param, docs, 'an array of documents');
  const seen = new Set<string>();
  return docs.map((input, i) => {
    const doc = toDocument(input);
    if (seen.has(doc.id)) invalidArgument(`${param}[${i}]${suffix}.id`, doc.id, 'unique within the batch');
    seen.add(doc.id);
    return { id: doc.id, text: doc.text, metadata: doc.metadata ?? {} };
  });
}

/** A chunk given for `doc` must be exact: its offsets select its text in the document. */
function checkExactChunk(param: string, doc: Document, c: Chunk): void {
  if (c === null || typeof c !== 'object') invalidArgument(param, c, 'a Chunk');
  if (typeof c.id !== 'string' || c.id === '') invalidArgument(`${param}.id`, c.id, 'a non-empty string');
  if (c.docId !== doc.id) invalidArgument(`${param}.docId`, c.docId, `the document's id "${doc.id}"`);
  if (typeof c.text !== 'string') invalidArgument(`${param}.text`, c.text, 'a string');
  const n = doc.text.length;
  if (!Number.isInteger(c.start) || c.start < 0 || c.start > n)
    invalidArgument(`${param}.start`, c.start, `an integer offset in 0..${n}`);
  if (!Number.isInteger(c.end) || c.end < c.start || c.end > n)
    invalidArgument(`${param}.end`, c.end, `an integer offset in ${c.start}..${n}`);
  if (c.metadata === null || typeof c.metadata !== 'object')
    invalidArgument(`${param}.metadata`, c.metadata, 'an object');
  if (doc.text.slice(c.start, c.end) !== c.text) {
    invalidArgument(
      `${param}.text`,
      c.text,
      `exactly document.text.slice(${c.start}, ${c.end}) (${JSON.stringify(doc.text.slice(c.start, c.end).slice(0, 40))})`,
    );
  }
}
