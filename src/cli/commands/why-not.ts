import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  CAUSE_ORDER,
  type CauseCode,
  type Expected,
  type WhyNotOptions,
  type WhyNotReport,
  whyNot,
} from '../../diagnostics/whynot.js';
import { UsageError } from '../errors.js';
import { loadIndex } from '../load-index.js';
import { parseSpan, positiveInt, splitList } from '../options.js';

interface WhyNotFlags {
  doc?: string;
  chunk?: string;
  span?: string;
  answer?: string;
  questions?: string;
  k: number;
  json?: boolean;
  embedder?: string;
  nearDuplicates: string;
  causes?: string;
  minSupport?: string;
}

interface BatchItem {
  id: string;
  query: string;
  expected: Expected;
}

/** Read `--questions`: JSON lines `{ "id"?, "query", "doc" | "chunk" | "span" | "answer" }`. */
function readBatch(file: string): BatchItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--questions ${file}: cannot read it (${(err as Error).message})`);
  }
  const items: BatchItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`--questions ${file}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    const query = row.query ?? row.text ?? row.question;
    if (typeof query !== 'string' || query.trim() === '')
      throw new UsageError(`--questions ${file}:${i + 1}: needs a "query" string`);
    const given = (['doc', 'chunk', 'span', 'answer'] as const).filter((f) => row[f] !== undefined);
    if (given.length !== 1)
      throw new UsageError(
        `--questions ${file}:${i + 1}: needs exactly one of "doc", "chunk", "span", "answer"`,
      );
    const f = given[0]!;
    const v = row[f];
    let expected: Expected;
    if (f === 'span') {
      if (typeof v === 'string') expected = parseSpan(v);
      else if (v && typeof v === 'object' && 'docId' in v)
        expected = v as { docId: string; start: number; end: number };
      else
        throw new UsageError(
          `--questions ${file}:${i + 1}: "span" must be "doc:start:end" or { docId, start, end }`,
        );
    } else {
      if (typeof v !== 'string')
        throw new UsageError(`--questions ${file}:${i + 1}: "${f}" must be a string`);
      expected = f === 'answer' ? { answer: v } : v;
    }
    items.push({
      id: typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id) : String(i + 1),
      query,
      expected,
    });
  });
  if (items.length === 0) throw new UsageError(`--questions ${file}: no questions in it`);
  return items;
}

function printReport(report: WhyNotReport, out: NodeJS.WritableStream): void {
  const t = report.target;
  out.write(
    `Target: ${t.kind}${t.docId ? ` in ${t.docId}` : ''}${t.span ? ` [${t.span.start}, ${t.span.end})` : ''}` +
      `${t.mainChunkId ? `, main chunk ${t.mainChunkId}` : ''}\n${report.summary}\n`,
  );
  report.causes.forEach((c, i) => {
    const v = c.verification ? ` [fix ${c.verification.status}]` : '';
    out.write(
      `\n${i + 1}. ${c.cause} (${c.stage}${c.decisive ? ', decisive' : ''})${v}\n   ${c.sentence}\n   fix: ${c.fix}\n`,
    );
  });
  for (const x of report.cannotCheck) out.write(`\ncannot check ${x.cause}: ${x.missing}\n`);
}

/** `ragscope why-not <index-dir> "query" --doc|--chunk|--span|--answer`, or a batch: ranked causes of a miss. @internal */
export function registerWhyNot(program: Command): void {
  program
    .command('why-not')
    .description(
      'explain why a document, chunk, span or answer text was not in the top k for a query (each fix replayed)',
    )
    .argument('<index-dir>', 'index folder written by ragscope index')
    .argument('[query]', 'the query (omit with --questions)')
    .option('--doc <id>', 'expected document id')
    .option('--chunk <id>', 'expected chunk id')
    .option('--span <doc:start:end>', 'expected character span of a document')
    .option('--answer <text>', 'expected answer text (found verbatim, or its closest support)')
    .option(
      '--questions <file.jsonl>',
      'diagnose many targets in one process: one JSON object a line, { "id", "query", "doc" | "chunk" | "span" | "answer" }; fixes are also replayed on the other questions',
    )
    .option('-k, --k <n>', 'number of hits', positiveInt, 5)
    .option(
      '--near-duplicates <rule>',
      "near-duplicate rule for crowded-out: 'text' (word-shingle Jaccard/containment) or 'off'",
      'text',
    )
    .option('--causes <list>', `comma-separated causes to check (default all): ${CAUSE_ORDER.join(', ')}`)
    .option(
      '--min-support <x>',
      'minimum confidence (0..1) for the closest support of an answer not found verbatim (default 0.6)',
    )
    .option('--json', 'print the full report as JSON (JSON lines with --questions)')
    .option('--embedder <spec>', 'embedder to load the index with (default: the one it was built with)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ragscope why-not my-index "Can I pay once a year?" --answer "annual plan"\n  $ ragscope why-not my-index "refund delay" --span billing-and-refunds.md:120:300\n  $ ragscope why-not my-index --questions failures.jsonl --json',
    )
    .action(async (dir: string, query: string | undefined, flags: WhyNotFlags) => {
      const given = (['doc', 'chunk', 'span', 'answer'] as const).filter((f) => flags[f] !== undefined);
      let items: BatchItem[];
      if (flags.questions !== undefined) {
        if (given.length > 0 || query !== undefined)
          throw new UsageError(
            'why-not --questions takes the queries and targets from the file: drop the query and --doc/--chunk/--span/--answer',
          );
        items = readBatch(flags.questions);
      } else {
        if (query === undefined) throw new UsageError('why-not needs a query (or --questions <file.jsonl>)');
        if (given.length !== 1) {
          throw new UsageError(
            `why-not needs exactly one target: --doc <id>, --chunk <id>, --span <doc:start:end> or --answer <text>${given.length > 1 ? ` (got ${given.map((g) => `--${g}`).join(' and ')})` : ''}`,
          );
        }
        const expected: Expected =
          flags.span !== undefined
            ? parseSpan(flags.span)
            : flags.answer !== undefined
              ? { answer: flags.answer }
              : (flags.doc ?? flags.chunk)!;
        items = [{ id: '1', query, expected }];
      }
      if (flags.nearDuplicates !== 'text' && flags.nearDuplicates !== 'off')
        throw new UsageError(
          `--near-duplicates must be 'text' or 'off', got ${JSON.stringify(flags.nearDuplicates)}`,
        );
      const options: WhyNotOptions = { k: flags.k, nearDuplicates: flags.nearDuplicates };
      if (flags.causes !== undefined) {
        const causes = splitList(flags.causes);
        for (const c of causes)
          if (!CAUSE_ORDER.includes(c as CauseCode))
            throw new UsageError(
              `--causes: unknown cause ${JSON.stringify(c)}; expected ${CAUSE_ORDER.join(', ')}`,
            );
        options.causes = causes as CauseCode[];
      }
      if (flags.minSupport !== undefined) {
        const x = Number(flags.minSupport);
        if (!(x >= 0 && x <= 1))
          throw new UsageError(`--min-support must be a number in [0, 1], got ${flags.minSupport}`);
        options.minSupport = x;
      }
      if (items.length > 1) options.otherQuestions = items;
      // The index (and its embedder) is loaded once for every question.
      const pipeline = await loadIndex(dir, flags.embedder, { withCorpus: true });
      const out = process.stdout;
      for (const [i, item] of items.entries()) {
        const report = await whyNot(pipeline, item.query, item.expected, options);
        if (flags.json) {
          out.write(
            items.length > 1
              ? `${JSON.stringify({ id: item.id, ...report })}\n`
              : `${JSON.stringify(report, null, 2)}\n`,
          );
          continue;
        }
        if (items.length > 1) out.write(`${i > 0 ? '\n' : ''}== ${item.id}: ${item.query}\n`);
        printReport(report, out);
      }
    });
}
