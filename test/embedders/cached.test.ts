import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CachedEmbedder } from '../../src/embedders/cached.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';

/** Wraps an embedder and records every text it is asked to embed. */
class Counting implements Embedder {
  calls: string[][] = [];
  fail = false;
  constructor(
    readonly base: HashingEmbedder,
    readonly delayMs = 0,
  ) {}
  get id() {
    return this.base.id;
  }
  get dimensions() {
    return this.base.dimensions;
  }
  async embed(texts: string[], options?: EmbedOptions) {
    this.calls.push([...texts]);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fail) throw new Error('inner failed');
    return this.base.embed(texts, options);
  }
  get embedded() {
    return this.calls.flat();
  }
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ragscope-cache-'));
const segments = (dir: string) => {
  const [sub] = readdirSync(dir);
  const d = path.join(dir, sub!);
  return readdirSync(d)
    .filter((n) => n.endsWith('.seg'))
    .map((n) => path.join(d, n));
};
const texts = ['alpha beta', 'gamma delta', 'epsilon zeta', 'eta theta', 'iota kappa'];
const fresh = new HashingEmbedder({ dimensions: 16 });
const expectFresh = (vs: Float32Array[], ts: string[]) =>
  expect(vs.map((v) => [...v])).toEqual(fresh.embedSync(ts).map((v) => [...v]));

describe('CachedEmbedder', () => {
  it('a second run (new instance, same folder) embeds only unseen texts', async () => {
    const dir = tmp();
    const a = new Counting(new HashingEmbedder({ dimensions: 16 }));
    const c1 = new CachedEmbedder(a, { dir });
    expectFresh(await c1.embed(texts), texts);
    expect(c1.stats).toEqual({ hits: 0, misses: 5 });
    expect(c1.id).toBe(a.id);
    expect(c1.dimensions).toBe(16);

    const b = new Counting(new HashingEmbedder({ dimensions: 16 }));
    const c2 = new CachedEmbedder(b, { dir, onWarning: () => expect.unreachable('no warning expected') });
    const more = [...texts, 'lambda mu'];
    expectFresh(await c2.embed(more), more);
    expect(b.embedded).toEqual(['lambda mu']);
    expect(c2.stats).toEqual({ hits: 5, misses: 1 });
    expect(await c2.size()).toBe(6);
  });

  it('keys by kind too, and repeated texts in one call are embedded once', async () => {
    const inner = new Counting(new HashingEmbedder({ dimensions: 16 }));
    const c = new CachedEmbedder(inner, { dir: tmp() });
    const out = await c.embed(['x y', 'x y', 'z'], { kind: 'query' });
    expectFresh(out, ['x y', 'x y', 'z']);
    await c.embed(['x y'], { kind: 'passage' });
    expect(inner.calls).toEqual([['x y', 'z'], ['x y']]);
    out[0]![0] = 42; // callers get copies
    expect((await c.embed(['x y'], { kind: 'query' }))[0]![0]).not.toBe(42);
  });

  it('detects flipped bytes, warns once, re-embeds only the bad record and rebuilds the file', async () => {
    const dir = tmp();
    await new CachedEmbedder(new Counting(new HashingEmbedder({ dimensions: 16 })), { dir }).embed(texts);
    const [seg] = segments(dir);
    const buf = readFileSync(seg!);
    const rec = 32 + 16 * 4 + 4;
    buf[32 + 2 * rec + 40] = (buf[32 + 2 * rec + 40] ?? 0) ^ 0xff; // inside record 2's vector
    writeFileSync(seg!, buf);

    const warnings: string[] = [];
    const inner = new Counting(new HashingEmbedder({ dimensions: 16 }));
    const c = new CachedEmbedder(inner, { dir, onWarning: (m) => warnings.push(m) });
    expectFresh(await c.embed(texts), texts);
    expectFresh(await c.embed(texts), texts);
    expect(inner.embedded).toEqual([texts[2]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/1 of 5 records failed their checksum/);

    const again: string[] = [];
    const c3 = new CachedEmbedder(new Counting(new HashingEmbedder({ dimensions: 16 })), {
      dir,
      onWarning: (m) => again.push(m),
    });
    expectFresh(await c3.embed(texts), texts);
    expect(again).toEqual([]);
    expect(c3.stats).toEqual({ hits: 5, misses: 0 });
  });

  it('detects a truncated file (crash mid-append) and a garbage file', async () => {
    const dir = tmp();
    await new CachedEmbedder(new Counting(new HashingEmbedder({ dimensions: 16 })), { dir }).embed(texts);
    const [seg] = segments(dir);
    truncateSync(seg!, statSync(seg!).size - 7);
    writeFileSync(
      path.join(path.dirname(seg!), 'zzz-garbage.seg'),
      'definitely not vectors, but long enough for a header',
    );
    const warnings: string[] = [];
    const inner = new Counting(new HashingEmbedder({ dimensions: 16 }));
    const c = new CachedEmbedder(inner, { dir, onWarning: (m) => warnings.push(m) });
    expectFresh(await c.embed(texts), texts);
    expect(inner.embedded).toEqual([texts[4]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/truncated \(93 stray bytes/);
    expect(warnings[0]).toMatch(/zzz-garbage\.seg: not a ragscope vector cache file/);
  });

  it('concurrent calls for the same texts embed them once', async () => {
    const inner = new Counting(new HashingEmbedder({ dimensions: 16 }), 30);
    const c = new CachedEmbedder(inner, { dir: tmp() });
    const results = await Promise.all([
      c.embed(['a b', 'c d']),
      c.embed(['c d', 'e f']),
      c.embed(['a b']),
      c.embed(['e f', 'a b', 'g h']),
    ]);
    expectFresh(results[3]!, ['e f', 'a b', 'g h']);
    expect(inner.embedded.sort()).toEqual(['a b', 'c d', 'e f', 'g h']);
    expect(c.stats).toEqual({ hits: 4, misses: 4 });
  });

  it('different embedder ids do not collide in one folder', async () => {
    const dir = tmp();
    const small = new CachedEmbedder(new HashingEmbedder({ dimensions: 8 }), { dir });
    const big = new CachedEmbedder(new HashingEmbedder({ dimensions: 32 }), { dir });
    const [s] = await small.embed(['same text']);
    const [b] = await big.embed(['same text']);
    expect(s?.length).toBe(8);
    expect(b?.length).toBe(32);
    expect(big.stats.misses).toBe(1);
    expect(readdirSync(dir)).toHaveLength(2);
    const again = new CachedEmbedder(new HashingEmbedder({ dimensions: 32 }), { dir });
    expect([...(await again.embed(['same text']))[0]!]).toEqual([...b!]);
    expect(again.stats.hits).toBe(1);
  });

  it('does not cache failures: the next call tries again', async () => {
    const inner = new Counting(new HashingEmbedder({ dimensions: 16 }));
    const c = new CachedEmbedder(inner, { dir: tmp() });
    inner.fail = true;
    await expect(c.embed(['oops'])).rejects.toThrow(/inner failed/);
    inner.fail = false;
    expectFresh(await c.embed(['oops']), ['oops']);
    expect(inner.calls).toEqual([['oops'], ['oops']]);
  });

  it('property: cached vectors always equal the inner vectors, across runs', async () => {
    const dir = tmp();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), async (batch) => {
        const c = new CachedEmbedder(new HashingEmbedder({ dimensions: 16 }), { dir });
        expectFresh(await c.embed(batch), batch);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad arguments', () => {
    expect(() => new CachedEmbedder({} as never)).toThrow(/inner/);
    expect(() => new CachedEmbedder(fresh, { dir: '' })).toThrow(/dir/);
    expect(() => new CachedEmbedder(fresh, { maxSegmentBytes: 1 })).toThrow(/maxSegmentBytes/);
  });
});
