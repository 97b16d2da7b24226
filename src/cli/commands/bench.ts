import path from 'node:path';
import { type Command, Option } from 'commander';
import { DEFAULT_BENCH_CHUNKERS, DEFAULT_BENCH_RETRIEVERS, parseGate, runBench } from '../../eval/bench.js';
import { parseLlmSpec } from '../../generate/llm.js';
import { renderTerminal } from '../../report/terminal.js';
import type { RetrieverKind } from '../../report/types.js';
import type { ReportFormat } from '../../report/write.js';
import { writeReport } from '../../report/write.js';
import { type MetadataFilter, parseFilter } from '../../search/filter.js';
import { hydeRewriter, multiQueryRewriter } from '../../search/query-rewriters.js';
import type { Reranker } from '../../search/rerank/types.js';
import { banner } from '../banner.js';
import { resolveEmbedder, resolveReranker } from '../embedder.js';
import { UsageError } from '../errors.js';
import {
  asFlagError,
  checkCacheDir,
  collect,
  type IdFrom,
  idFromOption,
  loadDatasetFromFlags,
  nonNegativeInt,
  parseChunkerList,
  parseCutoffList,
  parseRetrieverList,
  positiveInt,
  splitList,
} from '../options.js';
import { openBenchBackend } from '../postgres-backend.js';
import { createProgress } from '../progress.js';
import { compareAndGate, parseRegressionFlags } from '../regression.js';
import { resolveTokenizer } from '../tokenizer.js';

interface BenchFlags {
  corpus?: string;
  questions?: string;
  dataset?: string;
  chunkers: string[];
  retrievers: RetrieverKind[];
  embedder?: string;
  reranker?: string;
  k?: number[];
  split?: string;
  idFrom: IdFrom;
  mode: 'auto' | 'spans' | 'docs';
  metric?: string;
  out: string;
  format: string;
  cacheDir: string;
  cache: boolean;
  failUnder: string[];
  gateOn: 'all' | 'best';
  maxQuestions?: number;
  maxFailures: number;
  seed: number;
  title?: string;
  vectorIndex: 'exact' | 'hnsw';
  tokenizer?: string;
  baseline?: string;
  failOnRegression: string[];
  allowDifferentQuestions?: boolean;
  filter?: MetadataFilter;
  rewriteLlm?: string;
  backend?: string;
  keepTables?: boolean;
}

const FORMATS: readonly ReportFormat[] = ['json', 'html', 'txt'];

/**
 * `ragscope bench`: chunker specs x retrievers x one embedder on a dataset; prints the table, writes
 * report.json + report.html, and exits 1 when a `--fail-under` gate is not met.
 * @internal
 */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmark chunkers x retrievers on a corpus with questions; writes report.json and report.html',
    )
    .option(
      '--corpus <path>',
      'with --questions: a folder of .md/.txt documents, a .jsonl corpus ({"id","title"?,"text"} per line), or one file',
    )
    .option('--questions <file>', 'questions in ragscope JSONL (question + docs/spans/answers)')
    .option('--dataset <kind:dir>', 'a packaged dataset instead: beir:<folder> or chroma:<folder>')
    .option('--split <name>', 'BEIR qrels split: qrels/<name>.tsv (test, dev, train...); default test')
    .addOption(idFromOption())
    .option(
      '--chunkers <specs>',
      'comma-separated chunker specs (e.g. recursive:400/0,sentence:400/1,semantic:p95:max=400)',
      (v: string) => {
        try {
          return parseChunkerList(v);
        } catch (err) {
          return asFlagError('--chunkers', err);
        }
      },
      [...DEFAULT_BENCH_CHUNKERS],
    )
    .option(
      '--retrievers <list>',
      'comma-separated: bm25, dense, hybrid, hybrid+rerank; query variants <bm25|dense|hybrid>:<multiquery|hyde> (need --rewrite-llm)',
      parseRetrieverList,
      [...DEFAULT_BENCH_RETRIEVERS],
    )
    .option(
      '--embedder <spec>',
      'model id or folder, static:<vectors.txt>, hashing[:dims], http:<URL>#<model> (default: Xenova/all-MiniLM-L6-v2, falling back LOUDLY to hashing when it cannot be loaded)',
    )
    .option(
      '--reranker <spec>',
      'for hybrid+rerank: cross-encoder model id or folder, mmr[:lambda], http:<URL of /rerank> (default: Xenova/ms-marco-MiniLM-L-6-v2; skipped with a warning when unavailable)',
    )
    .option(
      '-k, --k <n[,n...]>',
      'cut-off, or several in one run (5,10: every metric at each; the first is primary). Default 5 for span datasets, 10 for document-level ones',
      parseCutoffList,
    )
    .addOption(
      new Option('--mode <mode>', 'span metrics (Chroma) or document metrics (trec_eval)')
        .choices(['auto', 'spans', 'docs'])
        .default('auto'),
    )
    .option(
      '--tokenizer <name>',
      'for :tokens chunker specs: cl100k_base (default), o200k_base, ... or a tokenizer.json file/folder',
    )
    .option('--metric <name>', 'primary metric: picks the best configuration (default recall@k / ndcg_cut@k)')
    .option('--out <dir>', 'report folder', 'ragscope-report')
    .option('--format <list>', `report files to write: ${FORMATS.join(', ')}`, 'json,html')
    .option('--cache-dir <dir>', 'embedding cache folder', '.ragscope-cache')
    .option('--no-cache', 'do not read or write the embedding cache')
    .option(
      '--fail-under <metric=value>',
      'CI gate, repeatable: exit 1 unless every configuration reaches it (e.g. recall@5=0.8)',
      collect,
      [],
    )
    .addOption(
      new Option('--gate-on <which>', 'configurations the gate checks')
        .choices(['all', 'best'])
        .default('all'),
    )
    .option(
      '--filter <field=value>',
      'search only chunks whose metadata match (field=a|b is any-of, pairs joined by ","); score the questions whose gold lies there',
      (v: string) => {
        try {
          return parseFilter(v);
        } catch (err) {
          return asFlagError('--filter', err);
        }
      },
    )
    .option(
      '--rewrite-llm <http:URL#model>',
      'OpenAI-compatible chat endpoint writing the query variants of :multiquery (3 rephrasings) and :hyde (a passage) retrievers',
    )
    .option('--max-questions <n>', 'evaluate a seeded random sample of n questions', positiveInt)
    .option(
      '--max-failures <n>',
      'failing questions diagnosed (why-not) per configuration',
      nonNegativeInt,
      50,
    )
    .option('--seed <n>', 'seed of the question sample and paired tests', nonNegativeInt, 42)
    .option('--title <text>', 'report title')
    .addOption(
      new Option('--vector-index <kind>', 'vector index').choices(['exact', 'hnsw']).default('exact'),
    )
    .option(
      '--baseline <report.json>',
      'compare this run with a baseline report (writes compare.json/html to --out)',
    )
    .option(
      '--fail-on-regression <metric=tolerance>',
      'with --baseline: exit 1 when a configuration loses more than tolerance AND the loss is significant (repeatable)',
      collect,
      [],
    )
    .option('--allow-different-questions', 'with --baseline: compare the questions both runs share')
    .option(
      '--backend <postgres://…#prefix>',
      'index each chunker configuration into Postgres (tables <prefix>_c<i>_*, full text + pgvector) and search it there',
    )
    .option('--keep-tables', 'with --backend: keep the tables after the run (default: dropped)')
    .addHelpText(
      'after',
      `
Examples:
  $ ragscope bench --corpus examples/corpus --questions examples/questions.jsonl
  $ ragscope bench --dataset chroma:../data/chroma --embedder static:glove.6B.50d.txt --chunkers recursive:200/0,recursive:400/0
  $ ragscope bench --corpus docs --questions qa.jsonl --chunkers recursive:400/0 --retrievers hybrid --fail-under recall@5=0.8`,
    )
    .action(async (flags: BenchFlags) => {
      process.exitCode = await bench(flags);
    });
}

async function bench(flags: BenchFlags): Promise<number> {
  // Check everything cheap before loading models or data.
  const formats = splitList(flags.format);
  for (const f of formats) {
    if (!FORMATS.includes(f as ReportFormat)) {
      throw new UsageError(`--format: unknown format ${JSON.stringify(f)}, expected ${FORMATS.join(', ')}`);
    }
  }
  if (formats.length === 0) throw new UsageError(`--format needs at least one of ${FORMATS.join(', ')}`);
  for (const g of flags.failUnder) {
    try {
      parseGate(g);
    } catch (err) {
      asFlagError('--fail-under', err);
    }
  }
  if (flags.cache) checkCacheDir(flags.cacheDir);
  const regressionRules = parseRegressionFlags(flags.failOnRegression);
  if (flags.baseline === undefined && (regressionRules.length > 0 || flags.allowDifferentQuestions)) {
    throw new UsageError(
      '--fail-on-regression and --allow-different-questions need --baseline <report.json>',
    );
  }
  const usesVariants = flags.retrievers.some((r) => r.includes(':'));
  if (usesVariants && flags.rewriteLlm === undefined)
    throw new UsageError(
      '--retrievers with query variants (e.g. hybrid:multiquery) need --rewrite-llm http:<URL>#<model>',
    );
  let rewriters: Parameters<typeof runBench>[0]['rewriters'];
  if (flags.rewriteLlm !== undefined) {
    let llm: { baseURL: string; model: string };
    try {
      llm = parseLlmSpec(flags.rewriteLlm);
    } catch (err) {
      asFlagError('--rewrite-llm', err);
    }
    rewriters = { multiquery: multiQueryRewriter(llm), hyde: hydeRewriter(llm) };
  }
  // A pool connects lazily: opening it here only checks the flags.
  const backend = await openBenchBackend(flags.backend, flags.keepTables === true);
  const stderr = process.stderr;
  const dataset = await loadDatasetFromFlags(flags);
  let retrievers = flags.retrievers;
  const warnings: string[] = [];
  const needsEmbedder =
    retrievers.some((r) => r !== 'bm25') || flags.chunkers.some((s) => /^\s*(semantic|cluster)\b/.test(s));
  const resolved = needsEmbedder
    ? await resolveEmbedder(flags.embedder, {
        cacheDir: flags.cache ? flags.cacheDir : false,
        fitTexts: () => dataset.documents.map((d) => d.text),
      })
    : null;
  if (resolved?.fallback) stderr.write(banner(resolved.fallback));
  let reranker: Reranker | undefined;
  if (retrievers.includes('hybrid+rerank')) {
    const r = await resolveReranker(flags.reranker);
    if (r.reranker) reranker = r.reranker;
    else {
      retrievers = retrievers.filter((x) => x !== 'hybrid+rerank');
      warnings.push(r.warning!);
      stderr.write(banner(r.warning!));
      if (retrievers.length === 0) throw new Error('no retriever left to run (hybrid+rerank was skipped)');
    }
  } else if (flags.reranker !== undefined) {
    throw new UsageError('--reranker is only used by the hybrid+rerank retriever: add it to --retrievers');
  }
  const tokenizer = await resolveTokenizer(flags.tokenizer, flags.chunkers);
  const progress = await createProgress(stderr);
  const t0 = performance.now();
  let report: Awaited<ReturnType<typeof runBench>>;
  try {
    report = await runBench({
      dataset,
      chunkers: flags.chunkers,
      retrievers,
      ...(resolved ? { embedder: resolved.embedder } : {}),
      ...(resolved?.fallback ? { embedderFallback: resolved.fallback } : {}),
      ...(reranker ? { reranker } : {}),
      ...(tokenizer ? { tokenizer } : {}),
      mode: flags.mode,
      ...(flags.k !== undefined ? { k: flags.k.length === 1 ? flags.k[0]! : flags.k } : {}),
      ...(flags.metric !== undefined ? { primaryMetric: flags.metric } : {}),
      cacheDir: flags.cache ? flags.cacheDir : false,
      vector: { index: flags.vectorIndex },
      ...(flags.maxQuestions !== undefined ? { maxQuestions: flags.maxQuestions } : {}),
      ...(flags.filter ? { filter: flags.filter } : {}),
      ...(rewriters ? { rewriters } : {}),
      maxFailures: flags.maxFailures,
      seed: flags.seed,
      failUnder: flags.failUnder,
      gateOn: flags.gateOn,
      title: flags.title ?? `ragscope bench: ${flags.dataset ?? flags.corpus}`,
      warnings,
      onProgress: (e) => progress.onProgress(e),
      ...(backend ? { backend } : {}),
    });
  } finally {
    progress.stop();
    await backend?.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const stdout = process.stdout;
  stdout.write(
    `${renderTerminal(report, { color: stdout.isTTY === true, width: Math.max(60, Math.min(stdout.columns ?? 120, 160)) })}\n`,
  );
  const written = await writeReport(report, { dir: flags.out, formats: formats as ReportFormat[] });
  const files = Object.values(written).map((f) => path.relative(process.cwd(), f!) || f);
  stderr.write(
    `ragscope: ${report.configs.length} configurations x ${report.dataset.questions} questions in ${seconds.toFixed(1)} s; wrote ${files.join(', ')}\n`,
  );
  if (resolved?.fallback) stderr.write(banner(`REMINDER: ${resolved.fallback}`));
  let regression = 0;
  if (flags.baseline !== undefined) {
    const out = path.join(flags.out, 'report.json');
    regression = (
      await compareAndGate(flags.baseline, report, out, regressionRules, flags.out, {
        ...(flags.allowDifferentQuestions ? { allowDifferentQuestions: true } : {}),
      })
    ).code;
  }
  if (report.gate && !report.gate.passed) {
    stderr.write(
      `error: --fail-under not met: ${report.warnings.find((w) => w.startsWith('GATE FAILED')) ?? report.gate.expr}\n`,
    );
    return 1;
  }
  return regression;
}
