import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CharRange, evaluateSpans, loadChromaSpans, qrelsOf } from '../../src/eval/index.js';

const CHROMA = path.resolve(__dirname, '../../../shared/data/chroma');

describe('span metrics on the Chroma questions (real data)', () => {
  it('retrieving exactly the chunks that overlap the gold gives recall 1; an empty run gives 0', async () => {
    if (!existsSync(CHROMA)) throw new Error(`shared data missing: ${CHROMA} (see ../shared/data/README.md)`);
    const ds = await loadChromaSpans(CHROMA);
    // a fixed 400-character tiling of every corpus
    const chunks: CharRange[] = [];
    for (const d of ds.documents) {
      for (let s = 0; s < d.text.length; s += 400)
        chunks.push({ docId: d.id, start: s, end: Math.min(d.text.length, s + 400) });
    }
    const oracle: Record<string, CharRange[]> = {};
    for (const q of ds.questions) {
      oracle[q.id] = chunks.filter((c) =>
        q.spans!.some((g) => g.docId === c.docId && c.start < g.end && g.start < c.end),
      );
    }
    const res = evaluateSpans(ds.questions, oracle, chunks);
    expect(res.perQuery).toHaveLength(472);
    expect(res.skippedNoSpans).toEqual([]);
    // no Chroma question has overlapping gold spans, so full coverage is recall exactly 1 everywhere
    for (const p of res.perQuery) expect(p.recall, p.queryId).toBe(1);
    expect(res.summary.recall).toEqual({ mean: 1, std: 0, n: 472 });
    // retrieving only touching chunks, IoU can only lose to PrecisionΩ by the adjacent chunks Ω also counts
    for (const p of res.perQuery) expect(p.iou).toBeGreaterThanOrEqual(p.precisionOmega - 1e-12);
    expect(res.summary.precisionOmega.mean).toBeGreaterThan(0.05);
    expect(res.summary.precisionOmega.mean).toBeLessThan(0.5);
    const empty = evaluateSpans(ds.questions, {}, chunks);
    expect(empty.summary.recall.mean).toBe(0);
    expect(empty.missingFromRun).toHaveLength(472);
    expect(Object.keys(qrelsOf(ds.questions))).toHaveLength(472);
  });
});
