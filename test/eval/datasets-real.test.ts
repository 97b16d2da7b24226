import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import type { SyncChunker } from '../../src/chunkers/types.js';
import { joinTitle, loadBeir, loadChromaSpans } from '../../src/eval/index.js';

const DATA = path.resolve(__dirname, '../../../shared/data');

function dataDir(name: string): string {
  const dir = path.join(DATA, name);
  if (!existsSync(dir)) {
    throw new Error(`shared evaluation data missing: expected ${dir} (see ../shared/data/README.md)`);
  }
  return dir;
}

describe('loadBeir on SciFact (real data)', () => {
  it('loads 5,183 documents, 300 test queries and 339 judgments, with no missing ids', async () => {
    const ds = await loadBeir(dataDir('scifact'));
    expect(ds.name).toBe('scifact');
    expect(ds.documents).toHaveLength(5183);
    expect(ds.questions).toHaveLength(300);
    const judgments = ds.questions.reduce((n, q) => n + Object.keys(q.relevantDocs ?? {}).length, 0);
    expect(judgments).toBe(339);
    expect(ds.stats).toMatchObject({ judgments: 339, missingDocJudgments: 0, missingQueries: 0 });
    expect(ds.warnings).toEqual([]);
    // first qrels row: query 1 -> doc 31715818; text = title joined on one line to the abstract
    const q1 = ds.questions[0]!;
    expect(q1.id).toBe('1');
    expect(q1.relevantDocs).toEqual({ '31715818': 1 });
    const doc = ds.documents.find((d) => d.id === '31715818')!;
    const title = doc.metadata!.title as string;
    expect(title.length).toBeGreaterThan(0);
    const textStart = doc.metadata!.textStart as number;
    expect(doc.text).toBe(joinTitle(title, doc.text.slice(textStart)).text);
    expect(doc.text.slice(0, textStart)).toMatch(/^[^\n]+(: |[?!:] )$/);
    // every judged doc exists in the corpus
    const ids = new Set(ds.documents.map((d) => d.id));
    for (const q of ds.questions) for (const d of Object.keys(q.relevantDocs!)) expect(ids.has(d)).toBe(true);
  });

  it('reads the train split too (919 judgments, 809 queries); a missing split lists the ones present', async () => {
    const ds = await loadBeir(dataDir('scifact'), { split: 'train' });
    expect(ds.stats.judgments).toBe(919);
    expect(ds.questions).toHaveLength(809);
    await expect(loadBeir(dataDir('scifact'), { split: 'dev' })).rejects.toThrow(
      /BEIR qrels for split 'dev' not found: .*dev\.tsv; splits present in .*qrels: test, train$/,
    );
  });

  it('no recursive:400/0 chunk is a bare title (the paragraph join made 5,180 of 25,990)', async () => {
    const ds = await loadBeir(dataDir('scifact'));
    const old = await loadBeir(dataDir('scifact'), { titleSeparator: '\n\n' });
    const chunker = createChunker('recursive:400/0') as SyncChunker;
    const bareTitles = (docs: typeof ds.documents) => {
      let bare = 0;
      for (const d of docs) {
        const start = d.metadata!.textStart as number;
        for (const c of chunker.chunkSync(d)) if (start > 0 && c.end <= start) bare++;
      }
      return bare;
    };
    expect(bareTitles(ds.documents)).toBe(0);
    expect(bareTitles(old.documents)).toBe(5180);
  });
});

describe('loadChromaSpans on the Chroma data (real data)', () => {
  it('loads 5 corpora, 472 questions and 790 spans whose offsets reproduce the text', async () => {
    const ds = await loadChromaSpans(dataDir('chroma'));
    expect(ds.documents.map((d) => d.id).sort()).toEqual([
      'chatlogs',
      'finance',
      'pubmed',
      'state_of_the_union',
      'wikitexts',
    ]);
    expect(ds.questions).toHaveLength(472);
    expect(ds.stats.spans).toBe(790);
    const byId = new Map(ds.documents.map((d) => [d.id, d]));
    let spans = 0;
    const perCorpus: Record<string, number> = {};
    for (const q of ds.questions) {
      const [corpus] = Object.keys(q.relevantDocs!);
      perCorpus[corpus!] = (perCorpus[corpus!] ?? 0) + 1;
      for (const s of q.spans!) {
        const text = byId.get(s.docId)!.text;
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.end).toBeLessThanOrEqual(text.length);
        spans++;
      }
    }
    expect(spans).toBe(790);
    expect(perCorpus).toEqual({
      state_of_the_union: 76,
      wikitexts: 144,
      chatlogs: 56,
      finance: 97,
      pubmed: 99,
    });
    // first row of the CSV (credit card late fees, state_of_the_union [27346, 27425))
    const first = ds.questions[0]!;
    expect(first.id).toBe('0');
    expect(first.spans![0]).toEqual({ docId: 'state_of_the_union', start: 27346, end: 27425 });
    expect(byId.get('state_of_the_union')!.text.slice(27346, 27425)).toBe(
      'My administration announced we\u2019re cutting credit card late fees from $32 to $8.',
    );
  });
});
