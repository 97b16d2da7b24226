import { importOptional } from '../core/optional.js';

/** The hnswlib-node module. @internal */
export type HnswModule = typeof import('hnswlib-node');

let hnswModule: Promise<HnswModule> | null = null;

/** Load hnswlib-node (native, an optional peer) on first use only; absent, `MISSING_DEPENDENCY`. @internal */
export async function loadHnsw(): Promise<HnswModule> {
  hnswModule ??= importOptional(
    'hnswlib-node',
    'vector index "hnsw" (VectorIndex)',
    () => import('hnswlib-node'),
    "Without it, use exact search: vector: { index: 'exact' } (ExactVectorIndex), or --vector-index exact.",
  )
    .then((m) => ((m as { default?: HnswModule }).default ?? m) as HnswModule)
    .catch((err: unknown) => {
      hnswModule = null;
      throw err;
    });
  return hnswModule;
}
