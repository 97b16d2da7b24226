import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from '../../src/core/document.js';

// No vitest import here: the killed-save child process loads this file outside vitest.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const scifactDir = path.resolve(repoRoot, '../shared/data/scifact');

/** The first `n` SciFact abstracts as documents (`title + ' ' + text`); fails clearly when the data is missing. */
export function scifactDocs(n: number): Document[] {
  const file = path.join(scifactDir, 'corpus.jsonl');
  if (!existsSync(file)) {
    throw new Error(
      `shared data missing: ${file} (expected ../shared/data/scifact next to the repo; see its README)`,
    );
  }
  const out: Document[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line) as { _id: string; title: string; text: string };
    out.push({ id: row._id, text: `${row.title} ${row.text}`, metadata: { title: row.title } });
    if (out.length === n) break;
  }
  return out;
}
