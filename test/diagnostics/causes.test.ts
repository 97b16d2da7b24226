import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containment } from '../../src/diagnostics/causes/crowded-out.js';
import { CAUSE_CHECKS } from '../../src/diagnostics/causes/registry.js';
import { CAUSE_ORDER, locateSupport, whyNot } from '../../src/diagnostics/index.js';
import { jaccard, shingles } from '../../src/diagnostics/similarity.js';
import { makePipeline } from './helpers.js';

describe('cause registry', () => {
  it('holds one check per cause code, each a known code, in pipeline order', () => {
    const codes = CAUSE_CHECKS.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    const idx = codes.map((c) => CAUSE_ORDER.indexOf(c));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });

  it('options.causes restricts the checks that run (unknown codes are rejected)', async () => {
    const decoy = 'Refund policy: refunds are processed for refund requests. Refund policy applies.';
    const p = await makePipeline([
      { id: 'gold', text: 'A refund is paid within five days of the return.' },
      ...[1, 2, 3, 4].map((i) => ({ id: `copy${i}`, text: `${decoy} Page ${i}.` })),
    ]);
    const all = await whyNot(p, 'refund policy', 'gold', { k: 2 });
    expect(all.causes.map((c) => c.cause)).toContain('crowded-out');
    const some = await whyNot(p, 'refund policy', 'gold', { k: 2, causes: ['lost-in-fusion'] });
    expect(some.causes.map((c) => c.cause)).not.toContain('crowded-out');
    const off = await whyNot(p, 'refund policy', 'gold', { k: 2, nearDuplicates: 'off' });
    expect(off.causes.map((c) => c.cause)).not.toContain('crowded-out');
    await expect(whyNot(p, 'refund policy', 'gold', { causes: ['fusion' as never] })).rejects.toThrow(
      /options\.causes/,
    );
  });
});

describe('text near-duplicates', () => {
  it('containment >= jaccard, both in [0, 1], and 1 for a text and itself', () => {
    const words = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 3, maxLength: 30 });
    fc.assert(
      fc.property(words, words, (x, y) => {
        const a = shingles(x.join(' '));
        const b = shingles(y.join(' '));
        const c = containment(a, b);
        const j = jaccard(a, b);
        return c >= j - 1e-12 && c >= 0 && c <= 1 && containment(a, a) === 1;
      }),
    );
  });
});

describe('locateSupport', () => {
  it('finds the sentence window holding a paraphrase, and nothing for too short an answer', async () => {
    const docs = [
      {
        id: 'faq',
        text: 'Shipping is free over fifty dollars. Refunds are paid back within five business days. We ship worldwide.',
      },
      { id: 'other', text: 'Our office is closed on public holidays.' },
    ];
    const s = await locateSupport(docs, 'a refund is paid within five working days');
    expect(s?.docId).toBe('faq');
    expect(docs[0]!.text.slice(s!.start, s!.end)).toBe('Refunds are paid back within five business days.');
    // refund, paid, within, five, dai of refund, paid, within, five, work, dai
    expect(s!.lexical).toBeCloseTo(5 / 6, 10);
    expect(await locateSupport(docs, 'refunds days')).toBeNull();
  });
});
