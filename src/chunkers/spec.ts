import { RagscopeError, showValue } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import { lengthForUnit, type SizeUnit } from './base.js';
import { ClusterChunker } from './cluster.js';
import { ContextualChunker, splitContextSuffix } from './contextual.js';
import { FixedChunker } from './fixed.js';
import type { Tokenizer } from './length.js';
import { ParentChildChunker, splitParentSuffix } from './parent.js';
import { CHROMA_SEPARATORS, LANGCHAIN_SEPARATORS, RecursiveChunker } from './recursive.js';
import { SemanticChunker } from './semantic.js';
import { SentenceChunker } from './sentence.js';
import type { Chunker } from './types.js';
import { WholeChunker } from './whole.js';

/**
 * The grammar of chunker spec strings, as shown in `INVALID_SPEC` errors.
 *
 * @example
 * ```ts
 * console.log(CHUNKER_SPEC_GRAMMAR);
 * ```
 */
export const CHUNKER_SPEC_GRAMMAR = [
  'fixed:<size>[/<overlap>][:<unit>]                       e.g. fixed:512/64, fixed:200/0:tokens',
  'recursive:<size>[/<overlap>][:<unit>][:chroma][:md][:nokeep][:notrim][:seps=<JSON array>]',
  '                                                          e.g. recursive:400/0, recursive:400/0:tokens:chroma',
  'sentence:<size>[/<overlap sentences>][:<unit>]          e.g. sentence:400/1',
  'semantic:<p|std|iqr|grad><threshold>[:max=<size>][:min=<size>][:<unit>][:buffer=<sentences>]',
  '                                                          e.g. semantic:p95:max=400, semantic:std3:max=400:min=50, semantic:iqr1.5, semantic:grad95:buffer=2',
  'cluster:<max size>[:<unit>][:piece=<size>][:sentences]  e.g. cluster:200, cluster:200:tokens:piece=50, cluster:400:sentences',
  '                                                          (default piece: min(50, max) tokens; min(220, max/4) chars; min(35, max/4) words)',
  'whole                                                   one chunk per document (document-level baselines)',
  '<unit> = chars (default) | words | tokens (tokens needs a tokenizer)',
  'any spec + :ctx[=bm25|embed|both]: index title + heading path + chunk text (offsets unchanged), e.g. recursive:400/0:md:ctx',
  'fixed/recursive/sentence spec + :parent=<size>|section (before any :ctx): index its chunks, return their parents',
  '                                                          (the same chunker at <size>, no overlap; or the Markdown section), e.g. recursive:200/0:parent=800',
].join('\n');

/**
 * Which semantic threshold rule a spec names: `p` percentile, `std` standard deviations, `iqr` interquartile
 * ranges, `grad` percentile of the gradient.
 *
 * @example
 * ```ts
 * const mode: SemanticSpecMode = 'interquartile'; // from 'semantic:iqr1.5'
 * ```
 */
export type SemanticSpecMode = 'percentile' | 'stddev' | 'interquartile' | 'gradient';

/**
 * A parsed chunker spec (see {@link parseChunkerSpec}).
 *
 * @example
 * ```ts
 * const spec: ChunkerSpec = { kind: 'fixed', size: 512, overlap: 64, unit: 'tokens' };
 * ```
 */
export type ChunkerSpec =
  | { kind: 'fixed'; size: number; overlap: number; unit: SizeUnit }
  | {
      kind: 'recursive';
      size: number;
      overlap: number;
      unit: SizeUnit;
      /** `'langchain'` = {@link LANGCHAIN_SEPARATORS}, `'chroma'` = {@link CHROMA_SEPARATORS}, or an explicit list. */
      separators: 'langchain' | 'chroma' | string[];
      markdown: boolean;
      keepSeparator: boolean;
      trim: boolean;
    }
  | { kind: 'sentence'; size: number; overlap: number; unit: SizeUnit }
  | {
      kind: 'semantic';
      mode: SemanticSpecMode;
      threshold: number;
      maxSize?: number;
      minSize?: number;
      unit: SizeUnit;
      /** Sentences embedded on each side of a sentence (`buffer=`); the chunker's default (1) when absent. */
      bufferSize?: number;
    }
  | {
      kind: 'cluster';
      maxSize: number;
      unit: SizeUnit;
      /** `piece=`: size of the small pieces; the chunker's default for the unit when absent. */
      pieceSize?: number;
      /** `sentences`: pieces are packed whole sentences instead of recursive splits. */
      pieces?: 'sentences';
    }
  | { kind: 'whole' };

/**
 * What {@link createChunker} may need besides the spec.
 *
 * @example
 * ```ts
 * const deps: ChunkerDeps = { embedder: new HashingEmbedder(), tokenizer: await TiktokenTokenizer.load() };
 * ```
 */
export interface ChunkerDeps {
  /** Needed by `semantic:` and `cluster:` specs. */
  embedder?: Embedder;
  /** Needed by any spec with the `tokens` unit. */
  tokenizer?: Tokenizer;
}

const MODES: Record<string, SemanticSpecMode> = {
  p: 'percentile',
  std: 'stddev',
  iqr: 'interquartile',
  grad: 'gradient',
};

function fail(spec: unknown, why: string): never {
  throw new RagscopeError(
    'INVALID_SPEC',
    `invalid chunker spec ${showValue(spec)}: ${why}. Expected one of:\n${CHUNKER_SPEC_GRAMMAR}`,
    { param: 'spec', value: spec },
  );
}

function int(spec: string, what: string, raw: string | undefined, min: number): number {
  if (raw === undefined || !/^\d+$/.test(raw))
    fail(spec, `${what} must be an integer, got ${showValue(raw ?? '')}`);
  const v = Number(raw);
  if (v < min) fail(spec, `${what} must be >= ${min}, got ${v}`);
  return v;
}

function sizeOverlap(spec: string, raw: string | undefined, overlapName = 'overlap'): [number, number] {
  const [a, b, extra] = (raw ?? '').split('/');
  if (extra !== undefined) fail(spec, `expected <size>[/<${overlapName}>], got ${showValue(raw)}`);
  const size = int(spec, 'size', a, 1);
  const overlap = b === undefined ? 0 : int(spec, overlapName, b, 0);
  return [size, overlap];
}

function unitOf(raw: string): SizeUnit | null {
  if (raw === 'chars' || raw === 'words' || raw === 'tokens') return raw;
  return null;
}

/**
 * Parse a chunker spec string (grammar in {@link CHUNKER_SPEC_GRAMMAR}) into a typed object.
 * Throws `RagscopeError('INVALID_SPEC')` with the full grammar when the spec is malformed.
 *
 * @example
 * ```ts
 * parseChunkerSpec('fixed:512/64:tokens'); // { kind: 'fixed', size: 512, overlap: 64, unit: 'tokens' }
 * parseChunkerSpec('semantic:std3:max=400:min=50'); // { kind: 'semantic', mode: 'stddev', threshold: 3, maxSize: 400, minSize: 50, unit: 'chars' }
 * parseChunkerSpec('cluster:200:tokens:piece=50'); // { kind: 'cluster', maxSize: 200, unit: 'tokens', pieceSize: 50 }
 * ```
 */
export function parseChunkerSpec(spec: string): ChunkerSpec {
  if (typeof spec !== 'string') fail(spec, 'a spec must be a string');
  // :ctx and :parent= are wrappers, built by createChunker
  const text = splitParentSuffix(splitContextSuffix(spec.trim()).base).base;
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  let rest = colon < 0 ? '' : text.slice(colon + 1);
  let seps: string[] | undefined;
  if (kind === 'recursive') {
    const at = rest.indexOf(':seps=');
    if (at >= 0) {
      const json = rest.slice(at + ':seps='.length);
      rest = rest.slice(0, at);
      try {
        const parsed: unknown = JSON.parse(json);
        if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === 'string')) {
          throw new Error('not a list of strings');
        }
        seps = parsed as string[];
      } catch {
        fail(spec, `seps= must be a non-empty JSON array of strings, got ${showValue(json)}`);
      }
    }
  }
  const parts = rest === '' ? [] : rest.split(':');
  switch (kind) {
    case 'fixed':
    case 'sentence': {
      if (parts.length === 0) fail(spec, `${kind} needs a size`);
      const [size, overlap] = sizeOverlap(
        spec,
        parts[0],
        kind === 'sentence' ? 'overlap sentences' : 'overlap',
      );
      if (kind === 'fixed' && overlap >= size)
        fail(spec, `overlap (${overlap}) must be smaller than size (${size})`);
      if (parts.length > 2) fail(spec, `unexpected ${showValue(parts.slice(2).join(':'))}`);
      let unit: SizeUnit = 'chars';
      if (parts[1] !== undefined) {
        const u = unitOf(parts[1]);
        if (u === null) fail(spec, `unknown unit ${showValue(parts[1])} (chars, words or tokens)`);
        unit = u;
      }
      return { kind, size, overlap, unit };
    }
    case 'recursive': {
      if (parts.length === 0) fail(spec, 'recursive needs a size');
      const [size, overlap] = sizeOverlap(spec, parts[0]);
      if (overlap >= size) fail(spec, `overlap (${overlap}) must be smaller than size (${size})`);
      const out: ChunkerSpec = {
        kind,
        size,
        overlap,
        unit: 'chars',
        separators: seps ?? 'langchain',
        markdown: false,
        keepSeparator: true,
        trim: true,
      };
      for (const p of parts.slice(1)) {
        const u = unitOf(p);
        if (u !== null) out.unit = u;
        else if (p === 'chroma' && seps === undefined) out.separators = 'chroma';
        else if (p === 'md') out.markdown = true;
        else if (p === 'nokeep') out.keepSeparator = false;
        else if (p === 'notrim') out.trim = false;
        else
          fail(
            spec,
            `unknown recursive option ${showValue(p)} (a unit, chroma, md, nokeep, notrim or seps=[...])`,
          );
      }
      return out;
    }
    case 'semantic': {
      const m = /^(p|std|iqr|grad)(\d+(?:\.\d+)?)$/.exec(parts[0] ?? '');
      if (m === null) {
        fail(
          spec,
          `semantic needs a threshold like p95, std3, iqr1.5 or grad95, got ${showValue(parts[0] ?? '')}`,
        );
      }
      const mode = MODES[m[1] as string] as SemanticSpecMode;
      const threshold = Number(m[2]);
      if ((mode === 'percentile' || mode === 'gradient') && threshold > 100) {
        fail(spec, `a percentile threshold must be between 0 and 100, got ${threshold}`);
      }
      const out: ChunkerSpec = { kind, mode, threshold, unit: 'chars' };
      for (const p of parts.slice(1)) {
        const u = unitOf(p);
        if (u !== null) out.unit = u;
        else if (p.startsWith('max=')) out.maxSize = int(spec, 'max', p.slice(4), 1);
        else if (p.startsWith('min=')) out.minSize = int(spec, 'min', p.slice(4), 0);
        else if (p.startsWith('buffer=')) out.bufferSize = int(spec, 'buffer', p.slice(7), 0);
        else fail(spec, `unknown semantic option ${showValue(p)} (max=<n>, min=<n>, buffer=<n> or a unit)`);
      }
      if (out.maxSize !== undefined && out.minSize !== undefined && out.minSize > out.maxSize) {
        fail(spec, `min (${out.minSize}) must not exceed max (${out.maxSize})`);
      }
      return out;
    }
    case 'cluster': {
      const maxSize = int(spec, 'max size', parts[0], 1);
      const out: ChunkerSpec = { kind, maxSize, unit: 'chars' };
      for (const p of parts.slice(1)) {
        const u = unitOf(p);
        if (u !== null) out.unit = u;
        else if (p.startsWith('piece=')) out.pieceSize = int(spec, 'piece', p.slice(6), 1);
        else if (p === 'sentences') out.pieces = 'sentences';
        else
          fail(
            spec,
            `unknown cluster option ${showValue(p)} (a unit (chars, words or tokens), piece=<n> or sentences)`,
          );
      }
      if (out.pieceSize !== undefined && out.pieceSize > maxSize) {
        fail(spec, `piece (${out.pieceSize}) must not exceed the max size (${maxSize})`);
      }
      return out;
    }
    case 'whole':
      if (parts.length > 0) fail(spec, `whole takes no options, got ${showValue(rest)}`);
      return { kind };
    default:
      return fail(
        spec,
        `unknown chunker ${showValue(kind)} (fixed, recursive, sentence, semantic, cluster or whole)`,
      );
  }
}

function needEmbedder(spec: string, deps: ChunkerDeps): Embedder {
  const embedder = deps.embedder;
  if (embedder === undefined || embedder === null || typeof embedder.embed !== 'function') {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `embedder must be an Embedder (deps.embedder) for the chunker spec ${showValue(spec)}, got ${showValue(embedder)}`,
      { param: 'embedder', value: embedder },
    );
  }
  return embedder;
}

/**
 * Build a chunker from a spec string or a parsed {@link ChunkerSpec}. `tokens` units need `deps.tokenizer`;
 * `semantic:` and `cluster:` need `deps.embedder` (an `INVALID_ARGUMENT` error naming `embedder` otherwise).
 *
 * @example
 * ```ts
 * const a = createChunker('recursive:400/0');
 * const b = createChunker('fixed:200/0:tokens', { tokenizer: await TiktokenTokenizer.load() });
 * const c = createChunker('semantic:p95:max=400', { embedder: new HashingEmbedder() });
 * ```
 */
export function createChunker(spec: string | ChunkerSpec, deps: ChunkerDeps = {}): Chunker {
  if (
    typeof spec !== 'string' &&
    (spec === null || typeof spec !== 'object' || typeof spec.kind !== 'string')
  ) {
    fail(spec, 'a spec must be a string or a ChunkerSpec object ({ kind, ... })');
  }
  const ctx = typeof spec === 'string' ? splitContextSuffix(spec.trim()) : undefined;
  if (ctx?.target) return new ContextualChunker(createChunker(ctx.base, deps), ctx.target);
  const par = typeof spec === 'string' ? splitParentSuffix(spec.trim()) : undefined;
  if (par?.parent !== undefined) return parentChildChunker(spec as string, par.base, par.parent, deps);
  const parsed = typeof spec === 'string' ? parseChunkerSpec(spec) : spec;
  const shown = typeof spec === 'string' ? spec : JSON.stringify(spec);
  const d = deps ?? {};
  if (parsed.kind === 'whole') return new WholeChunker();
  const lengthFunction = lengthForUnit(parsed.unit, d.tokenizer);
  switch (parsed.kind) {
    case 'fixed':
      return new FixedChunker({
        size: parsed.size,
        overlap: parsed.overlap,
        unit: parsed.unit,
        ...(d.tokenizer ? { tokenizer: d.tokenizer } : {}),
      });
    case 'recursive':
      return new RecursiveChunker({
        size: parsed.size,
        overlap: parsed.overlap,
        separators:
          parsed.separators === 'langchain'
            ? LANGCHAIN_SEPARATORS
            : parsed.separators === 'chroma'
              ? CHROMA_SEPARATORS
              : parsed.separators,
        markdown: parsed.markdown,
        keepSeparator: parsed.keepSeparator,
        trim: parsed.trim,
        lengthFunction,
      });
    case 'sentence':
      return new SentenceChunker({ size: parsed.size, overlap: parsed.overlap, lengthFunction });
    case 'semantic':
      return new SemanticChunker({
        embedder: needEmbedder(shown, d),
        mode: parsed.mode,
        threshold: parsed.threshold,
        ...(parsed.maxSize !== undefined ? { maxSize: parsed.maxSize } : {}),
        ...(parsed.minSize !== undefined ? { minSize: parsed.minSize } : {}),
        ...(parsed.bufferSize !== undefined ? { bufferSize: parsed.bufferSize } : {}),
        lengthFunction,
      });
    case 'cluster':
      return new ClusterChunker({
        embedder: needEmbedder(shown, d),
        maxSize: parsed.maxSize,
        ...(parsed.pieceSize !== undefined ? { pieceSize: parsed.pieceSize } : {}),
        ...(parsed.pieces !== undefined ? { pieces: parsed.pieces } : {}),
        lengthFunction,
      });
    default:
      return fail(spec, 'unknown chunker kind');
  }
}

/** `<child spec>:parent=<size>|section`: the child chunker, and the same chunker at `size` (no overlap) as parent. */
function parentChildChunker(
  spec: string,
  base: string,
  parent: number | 'section',
  deps: ChunkerDeps,
): Chunker {
  if (parent === 'section') return new ParentChildChunker(createChunker(base, deps), 'section');
  const parsed = parseChunkerSpec(base);
  if (parsed.kind !== 'fixed' && parsed.kind !== 'recursive' && parsed.kind !== 'sentence')
    fail(
      spec,
      `parent=<size> needs a fixed, recursive or sentence child spec (or parent=section), got ${parsed.kind}`,
    );
  if (parent <= parsed.size)
    fail(spec, `the parent size (${parent}) must be larger than the child size (${parsed.size})`);
  const parentSpec = base.trim().replace(/^(\w+):\d+(?:\/\d+)?/, `$1:${parent}/0`);
  return new ParentChildChunker(createChunker(base, deps), createChunker(parentSpec, deps), String(parent));
}
