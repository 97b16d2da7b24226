import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { ExactVectorIndex } from '../../src/search/exact.js';

describe('ExactVectorIndex.fromRows (how a saved exact index is loaded)', () => {
  it('property: the same index as addSync, scores bit for bit, for cosine and inner product', () => {
    const value = fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('cosine' as const, 'ip' as const),
        fc.array(value, { minLength: 400, maxLength: 400 }),
        (d, n, metric, pool) => {
          // rows from the pool, nudged off zero so cosine vectors are valid
          const rows = new Float32Array(n * d);
          for (let i = 0; i < rows.length; i++)
            rows[i] = (pool[i % pool.length] as number) + (i % d === 0 ? 0.5 : 0);
          const ids = Array.from({ length: n }, (_, i) => `v${(i * 7) % n}-${i}`);
          const one = new ExactVectorIndex({ dimensions: d, metric });
          one.addSync(
            ids,
            ids.map((_, i) => rows.slice(i * d, (i + 1) * d)),
          );
          const bulk = ExactVectorIndex.fromRows({ dimensions: d, metric }, ids, rows);
          expect(bulk.size).toBe(n);
          for (let q = 0; q < 3; q++) {
            const query = rows.slice(((q * 5) % n) * d, ((q * 5) % n) * d + d);
            expect(bulk.searchSync(query, n)).toEqual(one.searchSync(query, n));
          }
          // and it keeps working like any index
          bulk.addSync(['extra'], [rows.slice(0, d)]);
          one.addSync(['extra'], [rows.slice(0, d)]);
          void bulk.remove([ids[0] as string]);
          void one.remove([ids[0] as string]);
          expect(bulk.searchSync(rows.slice(0, d), n)).toEqual(one.searchSync(rows.slice(0, d), n));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses bad rows, naming what is wrong', () => {
    const bad = (fn: () => unknown, param: string) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(RagscopeError);
        expect((err as RagscopeError).code).toBe('INVALID_ARGUMENT');
        expect((err as RagscopeError).message).toContain(param);
        return;
      }
      throw new Error('expected INVALID_ARGUMENT');
    };
    bad(() => ExactVectorIndex.fromRows({ dimensions: 2 }, ['a'], new Float32Array(3)), 'rows');
    bad(() => ExactVectorIndex.fromRows({ dimensions: 2 }, ['a'], new Float32Array([0, 0])), 'rows[0]');
    bad(() => ExactVectorIndex.fromRows({ dimensions: 1 }, ['a'], new Float32Array([Number.NaN])), 'rows[0]');
    bad(() => ExactVectorIndex.fromRows({ dimensions: 1 }, ['a', 'a'], new Float32Array([1, 2])), 'ids[1]');
    bad(() => ExactVectorIndex.fromRows({ dimensions: 1 }, [''], new Float32Array([1])), 'ids[0]');
    // inner product accepts a zero vector, as addSync does
    expect(ExactVectorIndex.fromRows({ dimensions: 2, metric: 'ip' }, ['z'], new Float32Array(2)).size).toBe(
      1,
    );
  });
});
