/**
 * BM25 removal cost vs index size: build N synthetic chunks (SciFact words, 400 chars, fixed seed), then remove
 * 60% of the chunks (so a compaction runs), and report CPU µs per removed posting. Flat across N means O(1) amortised per posting
 * (tombstones + compaction); the former `indexOf` in posting lists made it grow with df, i.e. with N.
 *
 * Run: npx tsx bench/bm25-remove.ts            (env SIZES=25000,100000,400000)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bm25Index } from '../src/search/bm25.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sizes = (process.env.SIZES ?? '25000,100000,400000').split(',').map(Number);
const words: string[] = [];
for (const line of readFileSync(path.resolve(here, '../../shared/data/scifact/corpus.jsonl'), 'utf8').split(
  '\n',
)) {
  if (!line) continue;
  const o = JSON.parse(line) as { title: string; text: string };
  for (const w of `${o.title} ${o.text}`.split(/\s+/)) if (w) words.push(w);
}
let seed = 42;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
console.log('| chunks | postings removed | remove CPU s | µs per removed posting |');
console.log('|---|---|---|---|');
for (const n of sizes) {
  const bm25 = new Bm25Index();
  const items = Array.from({ length: n }, (_, i) => {
    let text = '';
    while (text.length < 400) text += `${words[Math.floor(next() * words.length)]} `;
    return { id: `c${i}`, docId: `d${i}`, text: text.slice(0, 400) };
  });
  bm25.add(items);
  const ids = items.filter((_, i) => i % 5 < 3).map((it) => it.id);
  let postings = 0;
  for (const id of ids) postings += bm25.termsOf(id).size;
  const c0 = process.cpuUsage();
  bm25.remove(ids);
  const u = process.cpuUsage(c0);
  const s = (u.user + u.system) / 1e6;
  console.log(`| ${n} | ${postings} | ${s.toFixed(3)} | ${((s * 1e6) / postings).toFixed(3)} |`);
}
