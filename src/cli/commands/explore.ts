import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { RagscopeError } from '../../core/errors.js';
import { readReportFile } from '../../eval/compare-runs.js';
import { loadJsonl } from '../../eval/datasets/jsonl.js';
import type { ExploreData } from '../../explore/api.js';
import { startExplore } from '../../explore/server.js';
import type { RetrievalPipeline } from '../../search/pipeline.js';
import type { RetrieverSearch } from '../../search/retriever-search.js';
import { UsageError } from '../errors.js';
import { loadIndex } from '../load-index.js';
import { nonNegativeInt } from '../options.js';
import { isPostgresTarget } from '../postgres-backend.js';

interface ExploreFlags {
  port: number;
  embedder?: string;
  questions?: string;
}

/** Sort the one or two paths into an index folder and a report.json. */
async function loadInputs(paths: string[], flags: ExploreFlags): Promise<ExploreData> {
  if (paths.length < 1 || paths.length > 2) {
    throw new UsageError('explore takes an index folder, a report.json, or both');
  }
  const data: ExploreData = {};
  for (const p of paths) {
    if (isPostgresTarget(p)) {
      if (data.pipeline) throw new UsageError(`explore takes one index, got a second one: ${p}`);
      data.pipeline = (await loadIndex(p, flags.embedder, { withCorpus: true })) as RetrieverSearch;
      continue;
    }
    const s = await stat(p).catch((err: unknown) => {
      throw new RagscopeError('NOT_FOUND', `no such file or folder: ${p}`, { file: p }, err);
    });
    if (s.isDirectory()) {
      if (data.pipeline) throw new UsageError(`explore takes one index folder, got a second one: ${p}`);
      // A folder is a saved in-memory index (postgres:// targets are handled above).
      data.pipeline = (await loadIndex(p, flags.embedder)) as RetrievalPipeline;
    } else {
      if (data.report) throw new UsageError(`explore takes one report.json, got a second one: ${p}`);
      data.report = await readReportFile(p);
    }
  }
  if (flags.questions !== undefined) {
    const pipeline = data.pipeline;
    if (!pipeline)
      throw new UsageError('--questions needs an index folder (the gold spans refer to its documents)');
    const corpus = pipeline.documentIds().map((id) => pipeline.getDocument(id)!);
    data.questions = (await loadJsonl(flags.questions, { corpus })).questions;
  }
  return data;
}

/** `ragscope explore <index-dir | report.json | both>`: the local explore page. @internal */
export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('open a local page to look inside queries, chunk boundaries, why-not and bench failures')
    .argument(
      '<paths...>',
      'an index folder written by ragscope index (or its postgres://…#prefix), a report.json from ragscope bench, or both',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 = a free port)', nonNegativeInt, 0)
    .option('--questions <file>', 'questions JSONL whose gold spans are drawn in the document view')
    .option('--embedder <spec>', 'embedder to load the index with (default: the one it was built with)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ragscope explore my-index\n  $ ragscope explore my-index ragscope-report/report.json --questions questions.jsonl --port 8080',
    )
    .action(async (paths: string[], flags: ExploreFlags) => {
      const data = await loadInputs(paths, flags);
      const server = await startExplore({ ...data, port: flags.port });
      process.stdout.write(`ragscope explore: ${server.url}  (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
