/**
 * A bursty synthetic corpus for the BM25 scale bench, calibrated to real SciFact text (not to any bench result).
 *
 * Real text is bursty: a word a document uses once it tends to use again, in the same chunk and in the next chunks
 * of the same document, and a document's chunks are adjacent in chunk-number order. The independent corpus of
 * synthetic-chunks.ts (every word an independent draw by corpus frequency) has none of that. Here a synthetic
 * document takes one real SciFact abstract as its "topic": it has as many 400-character chunks as that abstract has
 * (title + text cut every 400 characters), and each word of each chunk is, with probability `w`, a word drawn from
 * that abstract's own words (its word distribution) and otherwise a word drawn from the whole corpus stream (the
 * background frequency). Documents are appended one after the other, so their chunks are adjacent.
 *
 * `w` is chosen by matching one burstiness statistic measured on real SciFact chunks with the BM25 analyzer:
 * **adjacent-chunk recurrence**, over every (term, chunk) pair where the chunk holds the term and the next chunk of
 * the same document exists, the share where that next chunk holds the term too (what window bounds can exploit).
 * Church & Gale's within-chunk adaptation, P(tf >= 2 | tf >= 1) pooled over (term, chunk) pairs, is reported for both
 * as a check that was not fitted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/eval/prng.js';
import { Analyzer } from '../../src/search/analyzer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHARS = 400;

/** SciFact's abstracts as word lists (title + text), in corpus order, and the whole word stream. */
export interface TopicSource {
  /** Per abstract: its words (every whitespace token of title + text). */
  topics: string[][];
  /** Per abstract: its length in characters (title + ' ' + text). */
  chars: number[];
  /** Every word of every abstract (the background distribution). */
  words: string[];
  /** Per abstract: title + ' ' + text. */
  texts: string[];
}

/** Read SciFact's corpus as topics and background. */
export function scifactTopics(): TopicSource {
  const file = path.resolve(here, '../../../shared/data/scifact/corpus.jsonl');
  const topics: string[][] = [];
  const chars: number[] = [];
  const texts: string[] = [];
  const words: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { title: string; text: string };
    const text = `${o.title} ${o.text}`;
    const ws = text.split(/\s+/).filter((w) => w);
    if (ws.length === 0) continue;
    topics.push(ws);
    chars.push(text.length);
    texts.push(text);
    for (const w of ws) words.push(w);
  }
  return { topics, chars, words, texts };
}

/** The real SciFact chunks, per abstract: its text cut every 400 characters. */
export function realChunks(src: TopicSource): string[][] {
  return src.texts.map((t) => {
    const out: string[] = [];
    for (let i = 0; i < t.length; i += CHARS) out.push(t.slice(i, i + CHARS));
    return out;
  });
}

/** One synthetic document: as many 400-character chunks as the topic abstract has, words mixed with weight `w`. */
export function burstyDocument(src: TopicSource, topic: number, w: number, next: () => number): string[] {
  const own = src.topics[topic] as string[];
  const n = Math.max(1, Math.ceil((src.chars[topic] as number) / CHARS));
  const bg = src.words;
  const out: string[] = [];
  for (let c = 0; c < n; c++) {
    let text = '';
    while (text.length < CHARS) {
      const fromTopic = next() < w;
      const list = fromTopic ? own : bg;
      text += `${list[Math.floor(next() * list.length)]} `;
    }
    out.push(text.slice(0, CHARS));
  }
  return out;
}

/** Burstiness of documents given as chunk lists, with the BM25 analyzer. */
export function burstiness(
  docs: string[][],
  analyzer = new Analyzer(),
): { adjacent: number; repeat: number } {
  let pairs = 0; // (term, chunk) with tf >= 1
  let repeats = 0; // ... and tf >= 2
  let withNext = 0; // (term, chunk) with tf >= 1 and a next chunk in the document
  let inNext = 0; // ... whose next chunk holds the term
  for (const chunks of docs) {
    const tfs = chunks.map((c) => {
      const m = new Map<string, number>();
      for (const t of analyzer.analyze(c)) m.set(t, (m.get(t) ?? 0) + 1);
      return m;
    });
    for (let i = 0; i < tfs.length; i++) {
      const m = tfs[i] as Map<string, number>;
      const nextChunk = tfs[i + 1];
      for (const [t, tf] of m) {
        pairs++;
        if (tf >= 2) repeats++;
        if (nextChunk) {
          withNext++;
          if (nextChunk.has(t)) inNext++;
        }
      }
    }
  }
  return { adjacent: inNext / withNext, repeat: repeats / pairs };
}

/** The synthetic calibration set for weight `w`: one document per abstract, topics in corpus order (seed 1). */
function calibrationDocs(src: TopicSource, w: number): string[][] {
  const next = seededRandom(1);
  return src.topics.map((_, t) => burstyDocument(src, t, w, next));
}

/** The calibrated mixture weight, with the statistics of real and synthetic chunks at that weight. */
export interface Calibration {
  w: number;
  real: { adjacent: number; repeat: number };
  synthetic: { adjacent: number; repeat: number };
  /** The same documents at w = 0: every word an independent background draw, as the independent corpus. */
  independent: { adjacent: number; repeat: number };
}

/**
 * The topic weight `w` whose synthetic documents match real SciFact's adjacent-chunk recurrence (bisection over
 * [0, 1], to 1/1024: the statistic rises with `w`), with both statistics for real and synthetic chunks.
 */
export function calibrate(src: TopicSource): Calibration {
  const analyzer = new Analyzer();
  const real = burstiness(realChunks(src), analyzer);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 10; i++) {
    const mid = (lo + hi) / 2;
    if (burstiness(calibrationDocs(src, mid), analyzer).adjacent < real.adjacent) lo = mid;
    else hi = mid;
  }
  const w = +((lo + hi) / 2).toFixed(4);
  return {
    w,
    real,
    synthetic: burstiness(calibrationDocs(src, w), analyzer),
    independent: burstiness(calibrationDocs(src, 0), analyzer),
  };
}

/**
 * An endless stream of bursty chunks: documents on topics drawn uniformly (with `next`), their chunks in order.
 * Each call returns the next chunk's text and its document number.
 */
export function burstyStream(
  src: TopicSource,
  w: number,
  next: () => number,
): () => { text: string; doc: number } {
  let chunks: string[] = [];
  let at = 0;
  let doc = -1;
  return () => {
    if (at >= chunks.length) {
      chunks = burstyDocument(src, Math.floor(next() * src.topics.length), w, next);
      at = 0;
      doc++;
    }
    return { text: chunks[at++] as string, doc };
  };
}

/** SciFact's test queries (the claims judged in qrels/test.tsv), in qrels order. */
export function scifactTestQueries(): string[] {
  const dir = path.resolve(here, '../../../shared/data/scifact');
  const text = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'queries.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { _id: string; text: string };
    text.set(o._id, o.text);
  }
  const ids: string[] = [];
  for (const line of readFileSync(path.join(dir, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
    const id = line.split('\t')[0];
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids.map((id) => text.get(id) as string);
}
