import { PostgresVectorRetriever } from '../../postgres/retrievers.js';
import type { RetrieverEntry } from './types.js';

/**
 * Registry entry `pg-vector`: pgvector search ({@link PostgresVectorRetriever}).
 *
 * @example
 * ```ts
 * const r = pgVectorEntry.create({ postgres: index, embedder }, { exact: false });
 * ```
 */
export const pgVectorEntry: RetrieverEntry = {
  kind: 'dense',
  needs: ['postgres', 'embedder'],
  create: (sources, options) =>
    new PostgresVectorRetriever(
      sources.postgres!,
      sources.embedder!,
      options as ConstructorParameters<typeof PostgresVectorRetriever>[2],
    ),
};
