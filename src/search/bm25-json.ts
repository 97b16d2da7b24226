import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Analyzer, AnalyzerOptions } from './analyzer.js';
import type { Bm25Index } from './bm25.js';

/** Serialised form written by `Bm25Index.toJSON`. @internal */
export interface Bm25Json {
  format: 'ragscope-bm25';
  version: 1;
  k1: number;
  b: number;
  analyzer: ReturnType<Analyzer['toJSON']>;
  /** One row per chunk: id, docId, analysed terms, their term frequencies. */
  docs: Array<[string, string, string[], number[]]>;
}

/** A `CORRUPT_FILE` thrower naming `source`. @internal */
export function bm25Corrupt(source: string): (what: string) => never {
  return (what: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `${source} is not a valid BM25 index: ${what}`, {
      file: source,
    });
  };
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * Check the parameters and analyzer of a serialised BM25 index and turn them into constructor options (custom
 * tokenizer/stemmer functions taken from `functions`). @internal
 */
export function checkBm25Params(
  j: { k1?: unknown; b?: unknown; analyzer?: unknown },
  source: string,
  functions: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'>,
): { k1: number; b: number; analyzer: AnalyzerOptions } {
  const corrupt = bm25Corrupt(source);
  if (typeof j.k1 !== 'number' || !(j.k1 >= 0)) corrupt('k1 missing or invalid');
  if (typeof j.b !== 'number' || !(j.b >= 0 && j.b <= 1)) corrupt('b missing or invalid');
  const a = j.analyzer as Partial<ReturnType<Analyzer['toJSON']>> | null;
  if (a === null || typeof a !== 'object') return corrupt('analyzer missing');
  if (typeof a.lowercase !== 'boolean') corrupt('analyzer.lowercase invalid');
  if (!(a.stopWords === 'english' || a.stopWords === false || isStringArray(a.stopWords)))
    corrupt('analyzer.stopWords invalid');
  if (!(a.stemmer === 'porter' || a.stemmer === 'none' || a.stemmer === null))
    corrupt('analyzer.stemmer invalid');
  if (!(a.tokenizer === 'standard' || a.tokenizer === null)) corrupt('analyzer.tokenizer invalid');
  const stemmer: AnalyzerOptions['stemmer'] =
    a.stemmer === null ? functions.stemmer : (a.stemmer as 'porter' | 'none');
  if (a.stemmer === null && typeof stemmer !== 'function')
    invalidArgument('functions.stemmer', stemmer, `the custom stemmer function ${source} was built with`);
  const tokenizer = a.tokenizer === null ? functions.tokenizer : undefined;
  if (a.tokenizer === null && typeof tokenizer !== 'function')
    invalidArgument(
      'functions.tokenizer',
      tokenizer,
      `the custom tokenizer function ${source} was built with`,
    );
  return {
    k1: j.k1 as number,
    b: j.b as number,
    analyzer: { lowercase: a.lowercase as boolean, stopWords: a.stopWords as never, stemmer, tokenizer },
  };
}

/**
 * Check a {@link Bm25Json} value (or its JSON string) and call `row` for each chunk with its distinct terms and
 * tfs. Anything malformed throws `CORRUPT_FILE` naming `source`. @internal
 */
export function readBm25Json(
  json: unknown,
  source: string,
  functions: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'>,
): {
  params: ReturnType<typeof checkBm25Params>;
  rows: (
    row: (id: string, docId: string, terms: string[], tfs: number[], len: number) => void,
    has: (id: string) => boolean,
  ) => void;
} {
  const corrupt = bm25Corrupt(source);
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (err) {
      corrupt(`invalid JSON (${(err as Error).message})`);
    }
  }
  if (data === null || typeof data !== 'object') return corrupt('not an object');
  const j = data as Partial<Bm25Json>;
  if (j.format !== 'ragscope-bm25')
    corrupt(`format is ${JSON.stringify(j.format)}, expected "ragscope-bm25"`);
  if (j.version !== 1) corrupt(`unsupported version ${JSON.stringify(j.version)}`);
  const params = checkBm25Params(j, source, functions);
  if (!Array.isArray(j.docs)) return corrupt('docs missing');
  const docs = j.docs;
  return {
    params,
    rows: (row, has) => {
      docs.forEach((r, i) => {
        if (!Array.isArray(r) || r.length !== 4) corrupt(`docs[${i}] is not [id, docId, terms, tfs]`);
        const [id, docId, terms, tfs] = r;
        if (typeof id !== 'string' || id === '' || typeof docId !== 'string')
          corrupt(`docs[${i}] has a bad id/docId`);
        if (has(id)) corrupt(`docs[${i}] repeats id ${JSON.stringify(id)}`);
        if (!isStringArray(terms) || !Array.isArray(tfs) || terms.length !== tfs.length)
          corrupt(`docs[${i}] terms/tfs malformed`);
        const seen = new Set<string>();
        let len = 0;
        for (let t = 0; t < terms.length; t++) {
          const f = tfs[t];
          if (typeof f !== 'number' || !Number.isInteger(f) || f < 1 || seen.has(terms[t] as string))
            corrupt(`docs[${i}] term ${t} has a bad or repeated tf`);
          seen.add(terms[t] as string);
          len += f as number;
        }
        row(id, docId, terms, tfs as number[], len);
      });
    },
  };
}

/** The {@link Bm25Json} snapshot of `index` (live chunks in insertion order). @internal */
export function bm25ToJson(index: Bm25Index): Bm25Json {
  const s = index.store;
  s.ensureForward();
  const docs: Bm25Json['docs'] = [];
  for (const num of s.byId.values()) {
    const start = s.fwdStart[num] as number;
    const end = start + (s.fwdCount[num] as number);
    docs.push([
      s.ids[num] as string,
      s.docIds[num] as string,
      Array.from(s.fwdTerms.subarray(start, end), (t) => s.termStrings[t] as string),
      Array.from(s.fwdTfs.subarray(start, end)),
    ]);
  }
  return {
    format: 'ragscope-bm25',
    version: 1,
    k1: index.k1,
    b: index.b,
    analyzer: index.analyzer.toJSON(),
    docs,
  };
}
