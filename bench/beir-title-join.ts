/**
 * How the BEIR loader joins a title to its text, measured on SciFact (test split): chunks that hold nothing but
 * the title, per chunker, and BM25 / dense (GloVe 50d, 10k words) / hybrid document metrics over recursive:400/0
 * and sentence:400/1 chunks, for each join.
 *   npx tsx bench/beir-title-join.ts [../shared/data/scifact]
 */
import path from 'node:path';
import { createChunker } from '../src/chunkers/spec.js';
import { StaticEmbedder } from '../src/embedders/static.js';
import { runBench } from '../src/eval/bench.js';
import { joinTitle, loadBeir } from '../src/eval/datasets/beir.js';
import type { EvalDataset } from '../src/eval/types.js';

const dir = process.argv[2] ?? '../shared/data/scifact';
const glove = path.resolve('../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
type Join = (title: string, text: string) => { text: string; textStart: number };
const plain =
  (sep: string): Join =>
  (title, text) =>
    title ? { text: `${title}${sep}${text}`, textStart: title.length + sep.length } : { text, textStart: 0 };
const joins: Array<[string, Join]> = [
  ['paragraph "Title\\n\\nText" (the old default)', plain('\n\n')],
  [
    'sentence "Title. Text" (" " after a final . ! ?)',
    (title, text) => (/[.!?]$/.test(title) ? plain(' ') : plain('. '))(title, text),
  ],
  ['raw colon "Title: text" (even "Title.: text")', plain(': ')],
  ['joinTitle "Title: text" (final . dropped; the new default)', (title, text) => joinTitle(title, text)],
];
const chunkers = ['fixed:400/0', 'recursive:400/0', 'recursive:800/200', 'sentence:400/1'];
const embedder = await StaticEmbedder.fromFile(glove);
const base = await loadBeir(dir, { titleSeparator: '' });
for (const [name, join] of joins) {
  const documents = base.documents.map((d) => {
    const title = d.metadata!.title as string;
    const joined = join(title, d.text.slice(title.length));
    return { id: d.id, text: joined.text, metadata: { title, textStart: joined.textStart } };
  });
  const ds: EvalDataset = { ...base, documents };
  const counts: string[] = [];
  for (const spec of chunkers) {
    const chunker = createChunker(spec);
    let total = 0;
    let bare = 0;
    for (const d of ds.documents) {
      const start = d.metadata?.textStart as number;
      for (const c of await chunker.chunk(d)) {
        if (!/\S/.test(c.text)) continue;
        total++;
        if (start > 0 && c.end <= start) bare++;
      }
    }
    counts.push(`${spec}: ${bare}/${total} bare-title chunks`);
  }
  const report = await runBench({
    dataset: ds,
    chunkers: ['recursive:400/0', 'sentence:400/1'],
    retrievers: ['bm25', 'dense', 'hybrid'],
    embedder,
    cacheDir: '.ragscope-cache',
    maxFailures: 0,
  });
  console.log(`## ${name}\n${counts.join('\n')}`);
  for (const c of report.configs) {
    const m = c.metrics;
    console.log(
      `${c.id}: ndcg_cut@10 ${m['ndcg_cut@10']!.toFixed(4)} recall@10 ${m['recall@10']!.toFixed(4)}`,
    );
  }
}
