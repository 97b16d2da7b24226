import { describe, expect, it } from 'vitest';
import { ClusterChunker } from '../../src/chunkers/cluster.js';
import { FixedChunker } from '../../src/chunkers/fixed.js';
import { SemanticChunker } from '../../src/chunkers/semantic.js';
import { type ChunkerSpec, createChunker } from '../../src/chunkers/spec.js';
import { RagscopeError } from '../../src/core/errors.js';
import type { Embedder } from '../../src/embedders/types.js';

/** The RagscopeError `fn` throws (fails the test when it throws anything else, or nothing). */
function thrown(fn: () => unknown): RagscopeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    return err as RagscopeError;
  }
  throw new Error('expected a RagscopeError, nothing was thrown');
}

async function rejected(p: Promise<unknown>): Promise<RagscopeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    return err as RagscopeError;
  }
  throw new Error('expected a RagscopeError, the promise resolved');
}

const TEXT =
  'Cats purr when they are content. Dogs bark at strangers at night. Fish swim in cold water. ' +
  'Birds sing at dawn in spring. Rain falls on the roofs of the town.';

/** An embedder with `dimensions: 4` whose `embed` returns what `make` builds (a misbehaving remote model). */
function embedderReturning(make: (texts: string[]) => unknown): Embedder {
  return {
    id: 'misbehaving',
    dimensions: 4,
    embed: async (texts: string[]) => make(texts) as Float32Array[],
  };
}

describe('chunker constructors and createChunker name the bad parameter', () => {
  it('new FixedChunker() without options is an INVALID_ARGUMENT on options (was a TypeError)', () => {
    const err = thrown(() => new (FixedChunker as unknown as new () => FixedChunker)());
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('options');
    expect(err.message).toContain('undefined');
  });

  it('createChunker(null) is an INVALID_SPEC naming the value (was a TypeError)', () => {
    const err = thrown(() => createChunker(null as unknown as string));
    expect(err.code).toBe('INVALID_SPEC');
    expect(err.details.param).toBe('spec');
    expect(err.message).toContain('invalid chunker spec null');
  });

  it('createChunker(123) is an INVALID_SPEC, not a complaint about a tokenizer', () => {
    const err = thrown(() => createChunker(123 as unknown as string));
    expect(err.code).toBe('INVALID_SPEC');
    expect(err.message).toContain('123');
    expect(err.message).not.toContain("a Tokenizer when unit is 'tokens'");
  });

  it('an object spec without a unit names the unit, not a tokenizer', () => {
    const err = thrown(() =>
      createChunker({ kind: 'fixed', size: 10, overlap: 0 } as unknown as ChunkerSpec),
    );
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.details.param).toBe('unit');
  });
});

describe('semantic and cluster chunkers check what the embedder returns', () => {
  const chunkers = {
    semantic: (e: Embedder) => new SemanticChunker({ embedder: e, maxSize: 60 }),
    cluster: (e: Embedder) => new ClusterChunker({ embedder: e, maxSize: 60 }),
  };
  for (const [name, make] of Object.entries(chunkers)) {
    it(`${name}: vectors of the wrong length (3 for dimensions 4) are an INVALID_ARGUMENT (were accepted)`, async () => {
      const e = embedderReturning((texts) => texts.map((_, i) => Float32Array.from([i + 1, 1, 2])));
      const err = await rejected(make(e).chunk({ id: 'd', text: TEXT }));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.details.param).toBe('embedder');
      expect(err.message).toContain('misbehaving');
      expect(err.message).toContain('length 3');
      expect(err.message).toContain('dimensions are 4');
    });

    it(`${name}: the wrong number of vectors is an INVALID_ARGUMENT naming both counts`, async () => {
      const e = embedderReturning((texts) => texts.slice(1).map(() => new Float32Array(4).fill(1)));
      const err = await rejected(make(e).chunk({ id: 'd', text: TEXT }));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.details.param).toBe('embedder');
      expect(err.message).toMatch(/returned \d+ vectors for \d+ texts/);
    });
  }
});
