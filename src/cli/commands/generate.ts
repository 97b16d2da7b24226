import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { HashingEmbedder } from '../../embedders/hashing.js';
import { loadCorpusFolder } from '../../eval/datasets/folder.js';
import { generateQuestions } from '../../generate/generate.js';
import { parseLlmSpec } from '../../generate/llm.js';
import type { GenerateProgress, GenerationReport } from '../../generate/types.js';
import { sanitizeTerminal } from '../../report/escape.js';
import { resolveEmbedder } from '../embedder.js';
import { UsageError } from '../errors.js';
import { asFlagError, positiveInt } from '../options.js';

interface GenerateFlags {
  corpus: string;
  llm: string;
  out: string;
  questionsPerDoc: number;
  windowChars: number;
  maxWindows?: number;
  seed: string;
  temperature: string;
  concurrency: number;
  timeoutMs: number;
  maxRetries: string;
  apiKeyEnv: string;
  embedder?: string;
  dedupeThreshold: string;
  maxOverlap: string;
  price?: string;
}

function num(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`${flag} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * `ragscope generate`: questions with exact gold spans from an OpenAI-compatible chat model; resumable.
 * @internal
 */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'write evaluation questions with exact gold spans from a corpus with an LLM (Chroma method); resumable',
    )
    .requiredOption(
      '--corpus <dir>',
      'folder of .md/.txt documents (ids = relative paths, as bench --corpus)',
    )
    .requiredOption(
      '--llm <spec>',
      'http:<URL of an OpenAI-compatible server>#<model>, e.g. http:http://localhost:11434/v1#llama3.1:8b',
    )
    .option('--out <file>', 'questions JSONL to append to (state in <file>.state.json)', 'questions.jsonl')
    .option('--questions-per-doc <n>', 'questions asked per document window', positiveInt, 3)
    .option('--window-chars <n>', 'longest part of a document sent in one request', positiveInt, 8000)
    .option('--max-windows <n>', 'use a seeded random sample of n windows', positiveInt)
    .option('--seed <n>', 'seed of the sample and of the requests', '42')
    .option('--temperature <t>', 'sampling temperature', '0')
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 4)
    .option('--timeout-ms <n>', 'per-request timeout', positiveInt, 120_000)
    .option('--max-retries <n>', 'retries after 429/5xx/timeouts (Retry-After honoured)', '4')
    .option('--api-key-env <name>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .option('--embedder <spec>', 'embedder of the near-duplicate filter (default hashing)')
    .option('--dedupe-threshold <cos>', 'drop a question this similar to one kept (cosine)', '0.85')
    .option(
      '--max-overlap <x>',
      'drop a question whose word bigrams are more than this share copied from an excerpt',
      '0.6',
    )
    .option(
      '--price <in/out>',
      'USD per million prompt/completion tokens, for the cost summary (e.g. 0.15/0.60)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ ragscope generate --corpus docs --llm http:http://localhost:11434/v1#llama3.1:8b --out qa.jsonl
  $ OPENAI_API_KEY=... ragscope generate --corpus docs --llm http:https://api.openai.com/v1#gpt-4o-mini --price 0.15/0.60
  $ ragscope bench --corpus docs --questions qa.jsonl`,
    )
    .action(async (flags: GenerateFlags) => {
      process.exitCode = await generate(flags);
    });
}

async function generate(flags: GenerateFlags): Promise<number> {
  let llm: ReturnType<typeof parseLlmSpec>;
  try {
    llm = parseLlmSpec(flags.llm);
  } catch (err) {
    return asFlagError('--llm', err);
  }
  const price =
    flags.price === undefined ? undefined : /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(flags.price);
  if (price === null)
    throw new UsageError(
      `--price must be <USD per 1M prompt tokens>/<USD per 1M completion tokens>, got ${JSON.stringify(flags.price)}`,
    );
  const st = await stat(flags.corpus).catch(() => undefined);
  if (!st?.isDirectory())
    throw new UsageError(
      `--corpus must be a folder of .md/.txt documents, got ${JSON.stringify(flags.corpus)}`,
    );
  const documents = await loadCorpusFolder(flags.corpus);
  const embedder = flags.embedder ? (await resolveEmbedder(flags.embedder)).embedder : new HashingEmbedder();
  const stderr = process.stderr;
  const bar = await progressBar(stderr);
  let report: GenerationReport;
  try {
    report = await generateQuestions({
      documents,
      llm: {
        ...llm,
        apiKeyEnv: flags.apiKeyEnv,
        timeoutMs: flags.timeoutMs,
        maxRetries: num('--max-retries', flags.maxRetries),
      },
      out: flags.out,
      embedder,
      questionsPerUnit: flags.questionsPerDoc,
      windowChars: flags.windowChars,
      ...(flags.maxWindows !== undefined ? { maxUnits: flags.maxWindows } : {}),
      seed: num('--seed', flags.seed),
      temperature: num('--temperature', flags.temperature),
      concurrency: flags.concurrency,
      dedupeThreshold: num('--dedupe-threshold', flags.dedupeThreshold),
      maxOverlap: num('--max-overlap', flags.maxOverlap),
      onProgress: (e) => bar.update(e),
    });
  } finally {
    bar.stop();
  }
  process.stdout.write(summaryText(report, price ? [Number(price[1]), Number(price[2])] : undefined));
  return report.units.failed > 0 ? 1 : 0;
}

/** The per-set summary: what was kept, why the rest was dropped, tokens and cost. */
function summaryText(r: GenerationReport, price: [number, number] | undefined): string {
  const t = sanitizeTerminal;
  const out = [
    `Generated set ${t(path.relative(process.cwd(), r.out) || r.out)} (model ${t(r.settings.model)}, prompt ${r.settings.promptVersion}, seed ${r.settings.seed})`,
    `  windows: ${r.units.total} (${r.units.resumed} already done, ${r.units.generated} generated now, ${r.units.failed} failed)`,
    `  questions proposed: ${r.proposed}, kept: ${r.kept}`,
    ...Object.entries(r.dropped).map(([k, n]) => `  dropped ${k}: ${n}`),
    `  tokens: ${r.usage.promptTokens} prompt + ${r.usage.completionTokens} completion (${r.usage.requests} HTTP requests this run)` +
      (price
        ? `, cost $${((r.usage.promptTokens * price[0] + r.usage.completionTokens * price[1]) / 1e6).toFixed(4)}`
        : ''),
  ];
  for (const w of r.warnings) out.push(`  warning: ${t(w)}`);
  for (const f of r.failures.slice(0, 10)) out.push(`  failed ${t(f.unit)}: ${t(f.message)}`);
  if (r.units.failed > 0)
    out.push('  run the same command again to retry the failed windows (done ones are not asked again)');
  return `${out.join('\n')}\n`;
}

async function progressBar(
  stream: NodeJS.WriteStream,
): Promise<{ update(e: GenerateProgress): void; stop(): void }> {
  if (stream.isTTY !== true || process.env.CI) {
    let last = -1;
    return {
      update(e) {
        const tenth = Math.floor((e.done / Math.max(1, e.total)) * 10);
        if (tenth === last) return;
        last = tenth;
        stream.write(
          `ragscope: generate ${e.done}/${e.total} windows, ${e.kept} questions kept${e.failed ? `, ${e.failed} failed` : ''}\n`,
        );
      },
      stop() {},
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      format: 'generating [{bar}] {value}/{total} windows, {kept} kept, {failed} failed',
      stream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(e) {
      if (!started) {
        bar.start(e.total, e.done, { kept: e.kept, failed: e.failed });
        started = true;
      } else bar.update(e.done, { kept: e.kept, failed: e.failed });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
