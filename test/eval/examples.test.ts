import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadJsonl } from '../../src/eval/index.js';

const EXAMPLES = path.resolve(__dirname, '../../examples');

const STOP = new Set(
  'a an the i my me we our to of in on for is are do does what which how can if and or be it that this with by at from after before there their they you your than when where why will get'.split(
    ' ',
  ),
);
function contentWords(s: string): Set<string> {
  return new Set((s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !STOP.has(w)));
}

describe('the zero set-up example corpus', () => {
  it('loads with every gold span verified, no warnings, and answers that match their spans', async () => {
    const ds = await loadJsonl(path.join(EXAMPLES, 'questions.jsonl'), {
      corpus: path.join(EXAMPLES, 'corpus'),
    });
    expect(ds.warnings).toEqual([]);
    expect(ds.documents.map((d) => d.id)).toEqual([
      'api-limits.md',
      'billing-and-refunds.md',
      'changelog.md',
      'installation.md',
      'security.md',
      'sharing-and-teams.md',
      'troubleshooting.md',
    ]);
    for (const d of ds.documents) {
      expect(d.text.length, d.id).toBeGreaterThan(1000);
      expect(d.text.length, d.id).toBeLessThan(3000);
      expect(d.text.startsWith('# '), d.id).toBe(true);
    }
    expect(ds.questions.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ds.questions.map((q) => q.id)).size).toBe(ds.questions.length);
    const byId = new Map(ds.documents.map((d) => [d.id, d]));
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    let straddling = 0;
    let lowOverlap = 0;
    for (const q of ds.questions) {
      expect(q.spans?.length, q.id).toBeGreaterThan(0);
      const texts = q.spans!.map((s) => {
        const text = byId.get(s.docId)!.text;
        expect(s.end, q.id).toBeLessThanOrEqual(text.length);
        return text.slice(s.start, s.end);
      });
      for (const t of texts) expect(t, q.id).toBe(t.trim());
      (q.answers ?? []).forEach((a, i) => {
        expect(norm(texts[i]!), q.id).toBe(norm(a));
      });
      expect(Object.keys(q.relevantDocs!).sort()).toEqual([...new Set(q.spans!.map((s) => s.docId))].sort());
      if (texts.some((t) => t.includes('\n\n'))) straddling++;
      const answerWords = contentWords(texts.join(' '));
      const shared = [...contentWords(q.text)].filter(
        (w) => answerWords.has(w) || answerWords.has(w.replace(/s$/, '')),
      );
      if (shared.length <= 1) lowOverlap++;
    }
    // chunking matters: several answers cross a paragraph break; dense retrieval matters: many share <= 1 word
    expect(straddling).toBeGreaterThanOrEqual(5);
    expect(lowOverlap).toBeGreaterThanOrEqual(15);
    // one question spans two documents
    expect(ds.questions.find((q) => q.id === 'sms-codes')!.spans!.map((s) => s.docId)).toEqual([
      'security.md',
      'changelog.md',
    ]);
  });

  it('ships a CC0 licence beside the corpus', () => {
    expect(readFileSync(path.join(EXAMPLES, 'corpus', 'LICENSE'), 'utf8')).toMatch(/CC0 1\.0 Universal/);
  });
});
