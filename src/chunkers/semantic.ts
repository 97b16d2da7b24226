import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk, toDocument } from '../core/document.js';
import { checkInteger, checkNumber, invalidArgument } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import { checkEmbedder, embedInBatches } from './embedding.js';
import type { LengthFunction, RangeMeasure } from './length.js';
import { charLength, checkLengthFunction, rangeMeasure } from './lengths.js';
import { packUnits, rebalanceTail, sentenceUnits, sizeBoundary } from './pack.js';
import { type SentenceSpan, splitSentences } from './sentences.js';
import { cosineDistance, gradient, mean, percentile, std } from './stats.js';
import type { Boundary, Chunker, ChunkingTrace, DistanceCurve } from './types.js';

/**
 * How the semantic chunker turns the distance curve into a threshold (as in LangChain's SemanticChunker;
 * `stddev` is LangChain's `standard_deviation`):
 * - `percentile`: the `threshold`-th percentile of the distances (default 95);
 * - `stddev`: mean + `threshold` × standard deviation of the distances (default 3);
 * - `interquartile`: mean + `threshold` × interquartile range of the distances (default 1.5);
 * - `gradient`: the `threshold`-th percentile of the gradient of the distances, compared with the gradient
 *   (default 95).
 *
 * @example
 * ```ts
 * const mode: SemanticMode = 'interquartile';
 * new SemanticChunker({ embedder, mode, threshold: 1.5 });
 * ```
 */
export type SemanticMode = 'percentile' | 'stddev' | 'interquartile' | 'gradient';

/**
 * Default `threshold` of each {@link SemanticMode} (LangChain's `BREAKPOINT_DEFAULTS`).
 *
 * @example
 * ```ts
 * SEMANTIC_THRESHOLD_DEFAULTS.stddev; // 3
 * ```
 */
export const SEMANTIC_THRESHOLD_DEFAULTS: Readonly<Record<SemanticMode, number>> = Object.freeze({
  percentile: 95,
  stddev: 3,
  interquartile: 1.5,
  gradient: 95,
});

/**
 * Options of {@link SemanticChunker}.
 *
 * @example
 * ```ts
 * const options: SemanticChunkerOptions = { embedder, mode: 'stddev', threshold: 2, maxSize: 1200, minSize: 200 };
 * ```
 */
export interface SemanticChunkerOptions {
  /** Embeds the sentence windows (kind `passage`). Required. */
  embedder: Embedder;
  /** How the breakpoint threshold is computed. Default `'percentile'`. */
  mode?: SemanticMode;
  /**
   * The threshold amount, in the mode's terms: a percentile in [0, 100] for `percentile` and `gradient`, a
   * non-negative multiplier for `stddev` and `interquartile`. Default {@link SEMANTIC_THRESHOLD_DEFAULTS}.
   */
  threshold?: number;
  /** Hard maximum chunk length (in `lengthFunction` units); longer groups are re-split. Default `1000`. */
  maxSize?: number;
  /**
   * Soft minimum chunk length: a shorter group is merged into the neighbour across the weaker breakpoint, unless
   * that would pass `maxSize` (then into the other neighbour; a group that fits nowhere stays short, and the
   * re-split of an over-long group may leave a short last part). Default `0` (no minimum).
   */
  minSize?: number;
  /**
   * How `maxSize`/`minSize` are measured. Default {@link charLength}. Lengths are measured as ranges of the
   * document ({@link rangeMeasure}): with `tokenLength` the document is tokenised once.
   */
  lengthFunction?: LengthFunction;
  /** Sentences on each side embedded together with a sentence (Kamradt's / LangChain's `buffer_size`). Default `1`. */
  bufferSize?: number;
  /** Texts per `embed` call. Default `256`. */
  batchSize?: number;
}

/** A group of consecutive sentences `first..last`. */
interface Group {
  first: number;
  last: number;
}

/**
 * Splits where the meaning changes (Greg Kamradt's method, as in LangChain's `SemanticChunker`): the text is split
 * into sentences ({@link splitSentences}); each sentence is embedded together with `bufferSize` neighbours on each
 * side; the cosine distance between consecutive windows forms a curve; a breakpoint is made after sentence `i`
 * when `distances[i]` (or its gradient, in `gradient` mode) is strictly above the threshold computed from the
 * curve of this document. Groups shorter than `minSize` are merged into a neighbour; groups longer than `maxSize`
 * are re-packed sentence by sentence (boundary reason `max-size`, over-long sentences cut by the
 * {@link RecursiveChunker}). All embedding is done in batches of `batchSize` texts.
 *
 * @example
 * ```ts
 * const embedder = await StaticEmbedder.fromFile('../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
 * const chunker = new SemanticChunker({ embedder, mode: 'percentile', threshold: 90, maxSize: 800 });
 * const { chunks, curve } = await chunker.chunkWithTrace({ id: 'notes', text });
 * curve?.breakpoints; // sentence indices after which the text was cut
 * ```
 */
export class SemanticChunker implements Chunker {
  readonly embedder: Embedder;
  readonly mode: SemanticMode;
  readonly threshold: number;
  readonly maxSize: number;
  readonly minSize: number;
  readonly lengthFunction: LengthFunction;
  readonly bufferSize: number;
  readonly batchSize: number;
  /**
   * `semantic:<p|std|iqr|grad><threshold>:max=<maxSize>:min=<minSize>:<unit>[:buffer=<bufferSize>]` (the grammar
   * of `parseChunkerSpec`; `buffer=` only when not 1), e.g. `semantic:p95:max=1000:min=0:chars`. The embedder is
   * not part of the spec but is part of every chunk id.
   */
  readonly spec: string;
  private readonly salt: string;

  constructor(options: SemanticChunkerOptions) {
    const opts = (options ?? {}) as SemanticChunkerOptions;
    this.embedder = checkEmbedder('embedder', opts.embedder);
    const mode = opts.mode ?? 'percentile';
    if (!Object.hasOwn(SEMANTIC_THRESHOLD_DEFAULTS, mode)) {
      invalidArgument('mode', mode, "one of 'percentile', 'stddev', 'interquartile', 'gradient'");
    }
    this.mode = mode;
    const threshold = opts.threshold ?? SEMANTIC_THRESHOLD_DEFAULTS[mode];
    this.threshold =
      mode === 'percentile' || mode === 'gradient'
        ? checkNumber('threshold', threshold, 0, 100)
        : checkNumber('threshold', threshold, 0);
    this.maxSize = checkInteger('maxSize', opts.maxSize ?? 1000, 1);
    this.minSize = checkInteger('minSize', opts.minSize ?? 0, 0);
    if (this.minSize > this.maxSize) {
      invalidArgument('minSize', this.minSize, `<= maxSize (${this.maxSize})`);
    }
    this.lengthFunction = checkLengthFunction('lengthFunction', opts.lengthFunction ?? charLength);
    this.bufferSize = checkInteger('bufferSize', opts.bufferSize ?? 1, 0);
    this.batchSize = checkInteger('batchSize', opts.batchSize ?? 256, 1);
    const code = { percentile: 'p', stddev: 'std', interquartile: 'iqr', gradient: 'grad' }[this.mode];
    this.spec =
      `semantic:${code}${this.threshold}:max=${this.maxSize}:min=${this.minSize}:${this.lengthFunction.unit}` +
      (this.bufferSize === 1 ? '' : `:buffer=${this.bufferSize}`);
    this.salt = `${this.spec}@${this.lengthFunction.id}@${this.embedder.id}`;
  }

  /** Split a document into chunks. */
  async chunk(doc: DocumentInput): Promise<Chunk[]> {
    return (await this.chunkWithTrace(doc)).chunks;
  }

  /** Split a document, explain every boundary and return the whole distance curve. */
  async chunkWithTrace(input: DocumentInput): Promise<ChunkingTrace> {
    const doc = toDocument(input);
    const text = doc.text;
    const sentences = splitSentences(text);
    const distances = await this.distanceCurve(text, sentences);
    const compared = this.mode === 'gradient' ? gradient(distances) : distances;
    const threshold = this.computeThreshold(distances, compared);
    const unit = this.describeThreshold();

    // 1. Groups between breakpoints.
    let groups: Group[] = [];
    let first = 0;
    compared.forEach((value, i) => {
      if (value > threshold) {
        groups.push({ first, last: i });
        first = i + 1;
      }
    });
    if (sentences.length > 0) groups.push({ first, last: sentences.length - 1 });

    // 2. Merge groups shorter than minSize into the neighbour across the weaker breakpoint.
    const measure = rangeMeasure(this.lengthFunction, text);
    if (this.minSize > 0) groups = this.mergeSmall(measure, sentences, groups, distances);

    // 3. Re-pack groups longer than maxSize; emit chunks and boundaries.
    const chunks: Chunk[] = [];
    const boundaries: Boundary[] = [];
    const fn = this.lengthFunction;
    groups.forEach((g, gi) => {
      const span = { start: sentences[g.first]!.start, end: sentences[g.last]!.end };
      if (gi > 0) {
        const k = g.first - 1;
        const d = distances[k]!;
        const value = compared[k]!;
        const boundary: Boundary = {
          before: chunks.length - 1,
          after: chunks.length,
          offset: span.start,
          reason: 'semantic-breakpoint',
          distance: d,
          threshold,
          thresholdUnit: unit,
          explanation:
            this.mode === 'gradient'
              ? `The gradient of the cosine distance between sentences ${k + 1} and ${k + 2} is ${fmt(value)} ` +
                `(distance ${fmt(d)}), above the threshold ${fmt(threshold)} (${unit}).`
              : `The cosine distance between sentences ${k + 1} and ${k + 2} is ${fmt(d)}, above the threshold ` +
                `${fmt(threshold)} (${unit}).`,
        };
        boundaries.push(boundary);
      }
      if (measure(span.start, span.end) <= this.maxSize) {
        chunks.push(makeChunk(doc, chunks.length, span.start, span.end, this.salt));
        return;
      }
      const units = sentenceUnits(
        text,
        sentences.slice(g.first, g.last + 1),
        this.maxSize,
        fn,
        measure,
        g.first,
      );
      const packs = rebalanceTail(
        units,
        packUnits(units, this.maxSize, measure, 0),
        this.maxSize,
        this.minSize,
        measure,
      );
      packs.forEach((p, pi) => {
        if (pi > 0) {
          const b = sizeBoundary(packs[pi - 1]!, p, units, chunks.length, this.maxSize, fn.unit, 'max-size');
          const why = b.explanation.charAt(0).toLowerCase() + b.explanation.slice(1);
          b.explanation = `The semantic group is longer than maxSize ${this.maxSize} ${fn.unit}; ${why}`;
          boundaries.push(b);
        }
        chunks.push(makeChunk(doc, chunks.length, p.start, p.end, this.salt));
      });
    });

    const curve: DistanceCurve = {
      pieces: sentences.map((s) => ({ start: s.start, end: s.end })),
      distances,
      threshold,
      unit,
      breakpoints: groups.slice(1).map((g) => g.first - 1),
    };
    if (this.mode === 'gradient') curve.gradient = compared;
    return { chunks, boundaries, curve };
  }

  /** Cosine distances between the embedded windows of consecutive sentences. */
  private async distanceCurve(text: string, sentences: SentenceSpan[]): Promise<number[]> {
    const n = sentences.length;
    if (n < 2) return [];
    const b = this.bufferSize;
    const windows = sentences.map((_, i) =>
      text.slice(sentences[Math.max(0, i - b)]!.start, sentences[Math.min(n - 1, i + b)]!.end),
    );
    const vectors = await embedInBatches(this.embedder, windows, this.batchSize);
    const distances = new Array<number>(n - 1);
    for (let i = 0; i < n - 1; i++) distances[i] = cosineDistance(vectors[i]!, vectors[i + 1]!);
    return distances;
  }

  /** The breakpoint threshold for this document's curve (LangChain's `_calculate_breakpoint_threshold`). */
  private computeThreshold(distances: number[], compared: number[]): number {
    switch (this.mode) {
      case 'percentile':
        return percentile(distances, this.threshold);
      case 'stddev':
        return mean(distances) + this.threshold * std(distances);
      case 'interquartile':
        return mean(distances) + this.threshold * (percentile(distances, 75) - percentile(distances, 25));
      case 'gradient':
        return percentile(compared, this.threshold);
    }
  }

  /** Plain-language units of the threshold. */
  private describeThreshold(): string {
    const t = this.threshold;
    switch (this.mode) {
      case 'percentile':
        return `cosine distance; threshold = ${ordinal(t)} percentile of the document's distances`;
      case 'stddev':
        return `cosine distance; threshold = mean + ${t} x standard deviation of the document's distances`;
      case 'interquartile':
        return `cosine distance; threshold = mean + ${t} x interquartile range of the document's distances`;
      case 'gradient':
        return `gradient of the cosine distance; threshold = ${ordinal(t)} percentile of the gradient`;
    }
  }

  /**
   * Merge each group shorter than `minSize` into the neighbour across the smaller distance (the weaker break),
   * or the other neighbour when that one would pass `maxSize` (a neighbour already over `maxSize` is always
   * accepted: it is re-split later); groups that fit nowhere stay as they are. The first short group (left to
   * right) is merged first, and a merged group is looked at again before the ones after it. One pass over a
   * linked list, so linear in the number of groups.
   */
  private mergeSmall(
    measure: RangeMeasure,
    sentences: SentenceSpan[],
    groups: Group[],
    distances: number[],
  ): Group[] {
    const n = groups.length;
    const first = groups.map((g) => g.first);
    const last = groups.map((g) => g.last);
    const prev = Int32Array.from(groups, (_, i) => i - 1);
    const next = Int32Array.from(groups, (_, i) => (i + 1 < n ? i + 1 : -1));
    const stuck = new Uint8Array(n);
    const len = (a: number, b: number) => measure(sentences[a]!.start, sentences[b]!.end);
    let live = n;
    let head = 0;
    let cur = n > 0 ? 0 : -1;
    while (cur >= 0 && live >= 2) {
      if (stuck[cur] || len(first[cur]!, last[cur]!) >= this.minSize) {
        cur = next[cur]!;
        continue;
      }
      const p = prev[cur]!;
      const q = next[cur]!;
      const options: Array<{ with: number; dist: number; a: number; b: number }> = [];
      if (p >= 0) options.push({ with: p, dist: distances[last[p]!]!, a: first[p]!, b: last[cur]! });
      if (q >= 0) options.push({ with: q, dist: distances[last[cur]!]!, a: first[cur]!, b: last[q]! });
      options.sort((x, y) => x.dist - y.dist);
      // A neighbour already over maxSize is re-split later anyway, so the small group can join it.
      const choice = options.find(
        (o) => len(o.a, o.b) <= this.maxSize || len(first[o.with]!, last[o.with]!) > this.maxSize,
      );
      if (choice === undefined) {
        stuck[cur] = 1;
        cur = next[cur]!;
        continue;
      }
      // Keep the left node of the pair, drop the right one; the merged group is new (not stuck).
      const keep = choice.with === p ? p : cur;
      const drop = choice.with === p ? cur : q;
      last[keep] = choice.b;
      stuck[keep] = 0;
      next[keep] = next[drop]!;
      if (next[drop]! >= 0) prev[next[drop]!] = keep;
      if (drop === head) head = keep;
      live--;
      cur = keep;
    }
    const out: Group[] = [];
    for (let i = n > 0 ? head : -1; i >= 0; i = next[i]!) out.push({ first: first[i]!, last: last[i]! });
    return out;
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}

function ordinal(n: number): string {
  if (!Number.isInteger(n)) return `${n}th`;
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
