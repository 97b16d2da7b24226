import { statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { parseChunkerSpec } from '../chunkers/spec.js';
import { RagscopeError } from '../core/errors.js';
import { loadBeir } from '../eval/datasets/beir.js';
import { loadChromaSpans } from '../eval/datasets/chroma.js';
import { loadJsonl } from '../eval/datasets/jsonl.js';
import type { EvalDataset } from '../eval/types.js';
import type { RetrieverKind } from '../report/types.js';
import { UsageError } from './errors.js';

/** Commander argument parser for positive integers (`-k`, `--max-questions`...). @internal */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Parse `-k 5` or `-k 5,10` (several cut-offs in one run): positive integers, no repeats. @internal */
export function parseCutoffList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const ks = parts.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1) {
      throw new InvalidArgumentError(
        `expected a positive integer or a comma-separated list of them (e.g. 5,10), got ${JSON.stringify(value)}`,
      );
    }
    return Number(p);
  });
  if (new Set(ks).size !== ks.length) {
    throw new InvalidArgumentError(`cut-offs must not repeat, got ${JSON.stringify(value)}`);
  }
  return ks;
}

/** Commander argument parser for non-negative integers (`--seed`, `--max-failures`). @internal */
export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Commander collector for repeatable options. @internal */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Split a comma-separated list, dropping blanks. Specs with JSON (`seps=[...]`) keep their commas. @internal */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Parse `--chunkers`: every spec is checked now (INVALID_SPEC with the grammar otherwise). @internal */
export function parseChunkerList(value: string): string[] {
  const specs = splitList(value);
  if (specs.length === 0) throw new UsageError('--chunkers needs at least one chunker spec');
  for (const s of specs) parseChunkerSpec(s);
  return specs;
}

const RETRIEVERS: readonly RetrieverKind[] = ['bm25', 'dense', 'hybrid', 'hybrid+rerank'];

/** Parse `--retrievers`. @internal */
export function parseRetrieverList(value: string): RetrieverKind[] {
  const list = splitList(value);
  if (list.length === 0) throw new UsageError(`--retrievers needs at least one of ${RETRIEVERS.join(', ')}`);
  for (const r of list) {
    if (!RETRIEVERS.includes(r as RetrieverKind) && !/^(bm25|dense|hybrid):[\w.-]+$/.test(r)) {
      throw new UsageError(
        `unknown retriever ${JSON.stringify(r)} in --retrievers: expected ${RETRIEVERS.join(', ')}, or query variants <bm25|dense|hybrid>:<multiquery|hyde>`,
      );
    }
  }
  return [...new Set(list)] as RetrieverKind[];
}

/**
 * Load the evaluation dataset named by `--dataset beir:<dir>|chroma:<dir>` or `--corpus <dir> --questions <file>`.
 * @internal
 */
export async function loadDatasetFromFlags(flags: {
  dataset?: string;
  corpus?: string;
  questions?: string;
  split?: string;
  idFrom?: IdFrom;
}): Promise<EvalDataset> {
  if (flags.dataset !== undefined) {
    if (flags.corpus !== undefined || flags.questions !== undefined) {
      throw new UsageError('give either --dataset or --corpus with --questions, not both');
    }
    const m = /^(beir|chroma):(.+)$/.exec(flags.dataset);
    if (!m) {
      throw new UsageError(
        `--dataset must be beir:<folder> or chroma:<folder>, got ${JSON.stringify(flags.dataset)}`,
      );
    }
    if (m[1] !== 'beir' && flags.split !== undefined) {
      throw new UsageError(`--split selects a BEIR qrels file: it needs --dataset beir:<folder>`);
    }
    if (m[1] === 'beir') {
      try {
        return await loadBeir(m[2]!, flags.split !== undefined ? { split: flags.split } : {});
      } catch (err) {
        // A split that is not there is a usage error naming the flag and the splits present.
        if (err instanceof RagscopeError && err.details.param === 'split') asFlagError('--split', err);
        throw err;
      }
    }
    return loadChromaSpans(m[2]!);
  }
  if (flags.split !== undefined) {
    throw new UsageError(`--split selects a BEIR qrels file: it needs --dataset beir:<folder>`);
  }
  if (flags.corpus === undefined || flags.questions === undefined) {
    throw new UsageError(
      'bench needs a dataset: --corpus <folder of .md/.txt> with --questions <file.jsonl>, or --dataset beir:<folder> / chroma:<folder>',
    );
  }
  const dataset = await loadJsonl(flags.questions, {
    corpus: flags.corpus,
    ...(flags.idFrom ? { idFrom: flags.idFrom } : {}),
  });
  return { ...dataset, name: flags.corpus };
}

/** `--id-from`: document ids of a folder (or single-file) corpus, with or without the file extension. */
export type IdFrom = 'path' | 'name';

/** The `--id-from` option, shared by `bench` and `index`. @internal */
export function idFromOption(): Option {
  return new Option(
    '--id-from <how>',
    'ids of a folder corpus: path (relative path, e.g. guides/install.md) or name (without the extension: guides/install)',
  )
    .choices(['path', 'name'])
    .default('path');
}

/** Parse `--span doc:start:end` (the document id may itself contain colons). @internal */
export function parseSpan(value: string): { docId: string; start: number; end: number } {
  const m = /^(.+):(\d+):(\d+)$/.exec(value);
  if (!m) throw new UsageError(`--span must be <doc id>:<start>:<end>, got ${JSON.stringify(value)}`);
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (end <= start) throw new UsageError(`--span end (${end}) must be greater than start (${start})`);
  return { docId: m[1]!, start, end };
}

/** Rethrow a RagscopeError about a flag as a usage error naming the flag. @internal */
export function asFlagError(flag: string, err: unknown): never {
  if (err instanceof RagscopeError) throw new UsageError(`${flag}: ${err.message}`);
  throw err;
}

/**
 * Check `--cache-dir` before any work: the nearest part of the path that exists must be a folder (a file there
 * would otherwise fail late, with a raw ENOTDIR, after the dataset and model are loaded). @internal
 */
export function checkCacheDir(dir: string): void {
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined; // ENOTDIR: a parent is a file; found on the way up
    }
    if (st) {
      if (!st.isDirectory()) {
        throw new UsageError(
          `--cache-dir ${JSON.stringify(dir)} must be a folder (or not exist yet), but ${p === path.resolve(dir) ? 'it' : JSON.stringify(p)} is a file`,
        );
      }
      return;
    }
    if (path.dirname(p) === p) return;
  }
}
