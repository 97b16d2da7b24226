import type { Command } from 'commander';
import { type Expected, whyNot } from '../../diagnostics/whynot.js';
import { UsageError } from '../errors.js';
import { loadIndex } from '../load-index.js';
import { parseSpan, positiveInt } from '../options.js';

interface WhyNotFlags {
  doc?: string;
  chunk?: string;
  span?: string;
  answer?: string;
  k: number;
  json?: boolean;
  embedder?: string;
}

/** `ragscope why-not <index-dir> "query" --doc|--chunk|--span|--answer`: ranked causes of a miss. @internal */
export function registerWhyNot(program: Command): void {
  program
    .command('why-not')
    .description('explain why a document, chunk, span or answer text was not in the top k for a query')
    .argument('<index-dir>', 'index folder written by ragscope index')
    .argument('<query>', 'the query')
    .option('--doc <id>', 'expected document id')
    .option('--chunk <id>', 'expected chunk id')
    .option('--span <doc:start:end>', 'expected character span of a document')
    .option('--answer <text>', 'expected answer text (found in the corpus)')
    .option('-k, --k <n>', 'number of hits', positiveInt, 5)
    .option('--json', 'print the full report as JSON')
    .option('--embedder <spec>', 'embedder to load the index with (default: the one it was built with)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ragscope why-not my-index "Can I pay once a year?" --answer "annual plan"\n  $ ragscope why-not my-index "refund delay" --span billing-and-refunds.md:120:300',
    )
    .action(async (dir: string, query: string, flags: WhyNotFlags) => {
      const given = (['doc', 'chunk', 'span', 'answer'] as const).filter((f) => flags[f] !== undefined);
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
      const pipeline = await loadIndex(dir, flags.embedder);
      const report = await whyNot(pipeline, query, expected, { k: flags.k });
      const out = process.stdout;
      if (flags.json) {
        out.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const t = report.target;
      out.write(
        `Target: ${t.kind}${t.docId ? ` in ${t.docId}` : ''}${t.span ? ` [${t.span.start}, ${t.span.end})` : ''}` +
          `${t.mainChunkId ? `, main chunk ${t.mainChunkId}` : ''}\n${report.summary}\n`,
      );
      report.causes.forEach((c, i) => {
        out.write(
          `\n${i + 1}. ${c.cause} (${c.stage}${c.decisive ? ', decisive' : ''})\n   ${c.sentence}\n   fix: ${c.fix}\n`,
        );
      });
    });
}
