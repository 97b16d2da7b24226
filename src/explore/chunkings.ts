import { createChunker } from '../chunkers/spec.js';
import type { Boundary, Chunker } from '../chunkers/types.js';
import type { Chunk, Document } from '../core/document.js';
import type { BenchReport } from '../report/types.js';
import type { ExplorePipeline } from './api.js';

/** One chunker's cut of one document: the chunks and why each boundary is where it is. @internal */
export interface Chunking {
  chunks: Chunk[];
  /** The chunker's account of each boundary, or null when it cannot be had (see `boundaryNote`). */
  boundaries: Boundary[] | null;
  boundaryNote?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Cuts of documents by the index's chunker (its saved chunks, with the boundary reasons of a re-run when it
 * reproduces them) and by the report's other chunkers (re-run on the document; they were not saved).
 * @internal
 */
export class Chunkings {
  private readonly chunkers = new Map<string, Chunker | Error>();
  private readonly cache = new Map<string, Chunking>();
  /** The chunkers the document view can draw: the index's first, then each other one of the report's configurations. */
  readonly specs: string[];

  constructor(
    private readonly pipeline: ExplorePipeline,
    report: BenchReport | undefined,
  ) {
    const specs = [pipeline.chunker.spec];
    for (const config of report?.configs ?? []) {
      const chunker = this.chunker(config.chunker);
      // The report may spell a spec short ('recursive:400/0'); the chunker's canonical spec dedupes it.
      const spec = chunker instanceof Error ? config.chunker : chunker.spec;
      if (!(chunker instanceof Error)) this.chunkers.set(spec, chunker);
      if (!specs.includes(spec)) specs.push(spec);
    }
    this.specs = specs;
  }

  private chunker(spec: string): Chunker | Error {
    let chunker = this.chunkers.get(spec);
    if (!chunker) {
      try {
        const embedder = this.pipeline.embedder;
        chunker = createChunker(spec, embedder ? { embedder } : {});
      } catch (err) {
        chunker = err instanceof Error ? err : new Error(message(err));
      }
      this.chunkers.set(spec, chunker);
    }
    return chunker;
  }

  async of(doc: Document, spec: string): Promise<Chunking> {
    const key = `${spec}\u0000${doc.id}`;
    let out = this.cache.get(key);
    if (!out) {
      out = spec === this.pipeline.chunker.spec ? await this.saved(doc) : await this.rerun(doc, spec);
      this.cache.set(key, out);
    }
    return out;
  }

  private async saved(doc: Document): Promise<Chunking> {
    const chunks = [...this.pipeline.chunksOf(doc.id)].sort((a, b) => a.index - b.index);
    try {
      const trace = await this.pipeline.chunker.chunkWithTrace(doc);
      const same =
        trace.chunks.length === chunks.length &&
        trace.chunks.every((c, i) => c.start === chunks[i]!.start && c.end === chunks[i]!.end);
      if (same) return { chunks, boundaries: trace.boundaries };
      return {
        chunks,
        boundaries: null,
        boundaryNote: `cannot check: the chunker ${this.pipeline.chunker.spec} no longer reproduces the saved chunks`,
      };
    } catch (err) {
      return { chunks, boundaries: null, boundaryNote: `cannot check: re-chunking failed (${message(err)})` };
    }
  }

  private async rerun(doc: Document, spec: string): Promise<Chunking> {
    const chunker = this.chunker(spec);
    if (chunker instanceof Error) {
      return { chunks: [], boundaries: null, boundaryNote: `cannot draw ${spec}: ${chunker.message}` };
    }
    try {
      const trace = await chunker.chunkWithTrace(doc);
      return { chunks: trace.chunks, boundaries: trace.boundaries };
    } catch (err) {
      return { chunks: [], boundaries: null, boundaryNote: `cannot draw ${spec}: ${message(err)}` };
    }
  }
}
