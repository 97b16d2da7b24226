import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ChunkingTrace } from '../../src/chunkers/types.js';
import type { Chunk, Document } from '../../src/core/document.js';
import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repo root (two levels above test/chunkers). */
export const repoRoot = path.resolve(here, '../..');

/** A file under ../shared (next to the repo); fails clearly when missing. */
export function sharedFile(rel: string): string {
  const p = path.resolve(repoRoot, '../shared', rel);
  if (!existsSync(p))
    throw new Error(`shared file missing: ${p} (expected ../shared next to the repo; see its README)`);
  return p;
}

export const glovePath = () => sharedFile('models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
export const chromaCorpus = (name: string) =>
  readFileSync(sharedFile(`data/chroma/corpora/${name}.md`), 'utf8');

/**
 * An embedder whose vectors are counts of topic keywords: dimension k counts the occurrences of `keywords[k]`
 * (case-insensitive) in the text. Distances between texts are therefore known exactly. Records every call.
 */
export class KeywordEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly calls: Array<{ texts: string[]; options?: EmbedOptions }> = [];
  constructor(readonly keywords: string[]) {
    this.id = `keywords:${keywords.join(',')}`;
    this.dimensions = keywords.length;
  }
  vector(text: string): Float32Array {
    const lower = text.toLowerCase();
    return Float32Array.from(this.keywords, (k) => lower.split(k.toLowerCase()).length - 1);
  }
  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    this.calls.push({ texts: [...texts], ...(options ? { options } : {}) });
    return texts.map((t) => this.vector(t));
  }
}

/** Cosine distance computed independently of the library (float64). */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return na === 0 || nb === 0 ? 1 : 1 - d / Math.sqrt(na * nb);
}

/** Text pieces that exercise offsets: CRLF, emoji, runs of spaces, tabs, abbreviations, blank lines. */
const fragments = [
  'The cat sat.',
  'Dr. Smith left early!',
  'Is it raining?',
  'Stars shine at night.',
  'We cooked 😀 pasta.',
  'e.g. this one',
  'no punctuation here',
  '👩‍👩‍👧 family',
  'Ünïcödé wörds…',
  'U.S.A. is big.',
  'averyveryveryverylongwordwithoutanyspaceinsideitatall',
  '"Quoted," she said.',
];
const spaces = [' ', '  ', '\t', '\r\n', '\n', '\n\n', '\r\n\r\n', ' \u00a0', ''];

/** Arbitrary documents mixing sentence-like fragments and whitespace (and, sometimes, fully random strings). */
export const textArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...fragments), fc.constantFrom(...spaces)), { maxLength: 30 })
      .map((parts) => parts.map(([a, b]) => a + b).join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r\n', '   \n\t ', '😀', '.', '!?') },
);

/** Non-whitespace character positions of `text`. */
function nonSpacePositions(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) if (/\S/.test(text[i]!)) out.push(i);
  return out;
}

/**
 * Invariants every chunker here must satisfy: exact offsets, order, ids, index, coverage of non-whitespace text,
 * boundaries pointing at chunk starts. `allowOverlap` permits chunk i+1 to start before chunk i ends.
 */
export function checkInvariants(
  doc: Document,
  trace: ChunkingTrace,
  opts: { allowOverlap?: boolean } = {},
): void {
  const { chunks, boundaries } = trace;
  const ids = new Set<string>();
  chunks.forEach((c: Chunk, i) => {
    expect(c.index).toBe(i);
    expect(c.docId).toBe(doc.id);
    expect(doc.text.slice(c.start, c.end)).toBe(c.text);
    expect(c.end).toBeGreaterThan(c.start);
    expect(c.text).toBe(c.text.trim());
    ids.add(c.id);
    if (i > 0) {
      const prev = chunks[i - 1]!;
      expect(c.start).toBeGreaterThan(prev.start);
      expect(c.end).toBeGreaterThan(prev.end);
      if (!opts.allowOverlap) expect(c.start).toBeGreaterThanOrEqual(prev.end);
    }
  });
  expect(ids.size).toBe(chunks.length);
  // Every non-whitespace character lies in some chunk.
  let k = 0;
  for (const p of nonSpacePositions(doc.text)) {
    while (k < chunks.length && chunks[k]!.end <= p) k++;
    if (!(k < chunks.length && chunks[k]!.start <= p)) expect.fail(`character ${p} is in no chunk`);
  }
  expect(boundaries.length).toBe(Math.max(0, chunks.length - 1));
  boundaries.forEach((b, i) => {
    expect(b.before).toBe(i);
    expect(b.after).toBe(i + 1);
    expect(b.offset).toBe(chunks[i + 1]!.start);
    expect(b.explanation.length).toBeGreaterThan(10);
  });
}
