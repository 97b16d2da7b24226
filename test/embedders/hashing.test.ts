import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { cosine, norm } from './shared.js';

describe('HashingEmbedder', () => {
  it('has an id that encodes every option', () => {
    expect(new HashingEmbedder().id).toBe('hashing:d256:w1:c3-5');
    expect(
      new HashingEmbedder({ dimensions: 512, wordWeight: 2, charNgrams: [2, 4], lowercase: false }).id,
    ).toBe('hashing:d512:w2:c2-4:cased');
    expect(new HashingEmbedder({ charNgrams: false }).id).toBe('hashing:d256:w1:c0');
  });

  it('returns L2-normalised vectors of the right size, deterministic across instances', async () => {
    const a = new HashingEmbedder({ dimensions: 64 });
    const b = new HashingEmbedder({ dimensions: 64 });
    const [v1, v2] = await a.embed(['Refund policy: 30 days.', '']);
    const [w1] = await b.embed(['Refund policy: 30 days.'], { kind: 'query' });
    expect(v1?.length).toBe(64);
    expect(norm(v1!)).toBeCloseTo(1, 5);
    expect([...v1!]).toEqual([...w1!]);
    expect(norm(v2!)).toBe(0); // no words -> zero vector
  });

  it('scores texts sharing words and word pieces closer than unrelated ones', () => {
    const e = new HashingEmbedder();
    const [q, rel, unrel] = e.embedSync([
      'how do I get a refund',
      'Refunds are issued within 30 days of the request.',
      'The cathedral bells rang across the valley at dawn.',
    ]);
    expect(cosine(q!, rel!)).toBeGreaterThan(cosine(q!, unrel!) + 0.1);
  });

  it('lower-cases by default and respects lowercase: false', () => {
    const e = new HashingEmbedder();
    expect([...e.embedOne('Hello World')]).toEqual([...e.embedOne('hello world')]);
    const cased = new HashingEmbedder({ lowercase: false });
    expect([...cased.embedOne('Hello World')]).not.toEqual([...cased.embedOne('hello world')]);
  });

  it('counts words as tokens', () => {
    expect(new HashingEmbedder().countTokens("Don't stop: 3 more-things!")).toBe(5);
  });

  it('rejects bad options with INVALID_ARGUMENT naming the parameter', () => {
    const bad: Array<[unknown, string]> = [
      [{ dimensions: 0 }, 'dimensions'],
      [{ dimensions: 2.5 }, 'dimensions'],
      [{ wordWeight: -1 }, 'wordWeight'],
      [{ wordWeight: Number.NaN }, 'wordWeight'],
      [{ charNgrams: [5, 3] }, 'charNgrams'],
      [{ charNgrams: [0, 3] }, 'charNgrams'],
      [{ charNgrams: false, wordWeight: 0 }, 'wordWeight'],
      [{ lowercase: 'yes' }, 'lowercase'],
    ];
    for (const [opts, param] of bad) {
      try {
        new HashingEmbedder(opts as never);
        expect.unreachable(`accepted ${JSON.stringify(opts)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(RagscopeError);
        expect((err as RagscopeError).code).toBe('INVALID_ARGUMENT');
        expect((err as RagscopeError).message).toContain(param);
      }
    }
    expect(() => new HashingEmbedder().embedSync([1 as never])).toThrow(/texts\[0\]/);
  });

  it('property: every vector is unit length or zero, finite, and the same text gives the same vector', () => {
    const e = new HashingEmbedder({ dimensions: 32 });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const v = e.embedOne(text);
        const n = norm(v);
        expect(v.every(Number.isFinite)).toBe(true);
        expect(n === 0 || Math.abs(n - 1) < 1e-5).toBe(true);
        // no words -> zero vector (the converse can fail: signed features of one short word may cancel)
        if (e.countTokens(text) === 0) expect(n).toBe(0);
        expect([...e.embedOne(text)]).toEqual([...v]);
      }),
    );
  });

  it('property: word order does not matter (bag of features)', () => {
    const e = new HashingEmbedder({ dimensions: 128 });
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 10 }), (words) => {
        const a = e.embedOne(words.join(' '));
        const b = e.embedOne([...words].reverse().join(' '));
        for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] ?? 0, 5);
      }),
    );
  });
});
