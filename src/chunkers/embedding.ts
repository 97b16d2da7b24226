import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';

/** Check that `value` is an {@link Embedder}. @internal */
export function checkEmbedder(param: string, value: unknown): Embedder {
  const e = value as Embedder | null;
  if (
    e === null ||
    typeof e !== 'object' ||
    typeof e.embed !== 'function' ||
    typeof e.id !== 'string' ||
    typeof e.dimensions !== 'number'
  ) {
    invalidArgument(param, value, 'an Embedder (with id, dimensions and embed(texts))');
  }
  return e;
}

/**
 * Embed `texts` as passages in batches of `batchSize` (one `embed` call per batch), checking that the embedder
 * returned one finite vector of the same length per text.
 * @internal
 */
export async function embedInBatches(
  embedder: Embedder,
  texts: string[],
  batchSize: number,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batchSize) {
    const batch = texts.slice(i, i + batchSize);
    const vectors = await embedder.embed(batch, { kind: 'passage' });
    if (!Array.isArray(vectors) || vectors.length !== batch.length) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `embedder ${embedder.id} returned ${Array.isArray(vectors) ? vectors.length : typeof vectors} vectors for ${batch.length} texts`,
        { param: 'embedder', value: embedder.id },
      );
    }
    const dims = declaredDimensions(embedder);
    for (const v of vectors) {
      const first = out[0] ?? v;
      if (v === null || typeof v !== 'object' || typeof v.length !== 'number' || v.length !== first.length) {
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `embedder ${embedder.id} returned vectors of differing lengths (${v?.length} vs ${first.length})`,
          { param: 'embedder', value: embedder.id },
        );
      }
      if (dims !== undefined && v.length !== dims) {
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `embedder ${embedder.id} returned a vector of length ${v.length} for text ${out.length}, but its dimensions are ${dims}`,
          { param: 'embedder', value: embedder.id, dimensions: dims, length: v.length },
        );
      }
      for (let k = 0; k < v.length; k++) {
        if (!Number.isFinite(v[k])) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            `embedder ${embedder.id} returned a non-finite value (${v[k]}) in the vector of text ${out.length}`,
            { param: 'embedder', value: embedder.id },
          );
        }
      }
      out.push(v);
    }
  }
  return out;
}

/** The embedder's `dimensions` when it is known (a positive integer); undefined when reading it fails. */
function declaredDimensions(embedder: Embedder): number | undefined {
  try {
    const d = embedder.dimensions;
    return Number.isInteger(d) && d > 0 ? d : undefined;
  } catch {
    return undefined;
  }
}
