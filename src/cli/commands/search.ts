import { type Command, InvalidArgumentError } from 'commander';
import { explain } from '../../diagnostics/explain.js';
import { loadIndex } from '../load-index.js';
import { positiveInt } from '../options.js';

interface SearchFlags {
  k: number;
  explain?: boolean;
  json?: boolean;
  embedder?: string;
  minScore?: number;
}

/** Commander parser of `--min-score`: a finite number (scores may be negative, e.g. cross-encoder logits). */
function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a finite number, got ${JSON.stringify(value)}`);
  }
  return n;
}

const oneLine = (text: string, max = 160) => {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** `ragscope search <index-dir> "query"`: top hits, optionally with the per-stage explanation. @internal */
export function registerSearch(program: Command): void {
  program
    .command('search')
    .description(
      'search a saved index; --explain shows every stage of every hit (BM25 terms, vector, fusion, re-rank)',
    )
    .argument('<index-dir>', 'index folder written by ragscope index')
    .argument('<query>', 'the query')
    .option('-k, --k <n>', 'number of hits', positiveInt, 5)
    .option('--explain', 'explain each hit: per-term BM25 contributions, vector similarity, fusion, re-rank')
    .option('--json', 'print the hits and the full trace as JSON')
    .option('--embedder <spec>', 'embedder to load the index with (default: the one it was built with)')
    .option(
      '--min-score <x>',
      'drop hits whose final score is below x ("no relevant context"; bench reports a threshold per config)',
      finiteNumber,
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ ragscope search my-index "how long do refunds take?" -k 3 --explain',
    )
    .action(async (dir: string, query: string, flags: SearchFlags) => {
      const pipeline = await loadIndex(dir, flags.embedder);
      const result = await pipeline.search(query, {
        k: flags.k,
        ...(flags.minScore !== undefined ? { minScore: flags.minScore } : {}),
      });
      const out = process.stdout;
      if (flags.json) {
        out.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      if (result.hits.length === 0) {
        out.write(
          flags.minScore !== undefined ? `no hits scoring at least ${flags.minScore}\n` : 'no hits\n',
        );
        return;
      }
      for (const hit of result.hits) {
        if (flags.explain) {
          out.write(`${explain(result, hit, { color: out.isTTY === true }).text}\n\n`);
        } else {
          const c = hit.chunk;
          out.write(
            `#${hit.rank}  ${hit.score.toFixed(4)}  ${c.docId} [${c.start}, ${c.end})  ${oneLine(c.text)}\n`,
          );
        }
      }
    });
}
