import { PostgresTextRetriever } from '../../postgres/retrievers.js';
import type { RetrieverEntry } from './types.js';

/**
 * Registry entry `pg-text`: Postgres full-text search ({@link PostgresTextRetriever}); `pg` loads only when it queries.
 *
 * @example
 * ```ts
 * const r = pgTextEntry.create({ postgres: index }, { rank: 'ts_rank_cd' });
 * ```
 */
export const pgTextEntry: RetrieverEntry = {
  kind: 'lexical',
  needs: ['postgres'],
  create: (sources, options) =>
    new PostgresTextRetriever(
      sources.postgres!,
      options as ConstructorParameters<typeof PostgresTextRetriever>[1],
    ),
};
