import { checkInteger, invalidArgument } from '../core/errors.js';
import type { MetadataFilter } from '../search/filter.js';
import type { RetrievedHit } from '../search/retriever.js';
import { filterSql } from './filter-sql.js';
import { POSTGRES_DEFAULTS, type TextSearchOptions } from './options.js';
import type { Queryable } from './sql.js';

/** The query's lexemes under a text search configuration (what full-text search matches on). @internal */
export async function queryLexemes(db: Queryable, textConfig: string, query: string): Promise<string[]> {
  const { rows } = await db.query(
    'SELECT coalesce(array_agg(lexeme ORDER BY lexeme), ARRAY[]::text[]) AS l FROM unnest(to_tsvector($1::regconfig, $2))',
    [textConfig, query],
  );
  return (rows[0]?.l as string[]) ?? [];
}

/** Validated full-text options with defaults. @internal */
export function textOptions(options: TextSearchOptions): Required<TextSearchOptions> {
  const rank = options.rank ?? POSTGRES_DEFAULTS.rank;
  if (rank !== 'ts_rank' && rank !== 'ts_rank_cd') invalidArgument('rank', rank, "'ts_rank' or 'ts_rank_cd'");
  const rankNormalization = checkInteger('rankNormalization', options.rankNormalization ?? 0, 0);
  if (rankNormalization > 63)
    invalidArgument('rankNormalization', rankNormalization, 'a bit mask from 0 to 63');
  const operator = options.operator ?? POSTGRES_DEFAULTS.operator;
  if (operator !== 'or' && operator !== 'and') invalidArgument('operator', operator, "'or' or 'and'");
  return { rank, rankNormalization, operator };
}

/**
 * Full-text search over a chunks table: chunks matching the query's lexemes (any of them, or all with `operator:
 * 'and'`), ranked by `ts_rank_cd` / `ts_rank`, best first, ties by chunk id; `onlyChunk` scores that chunk alone.
 * Each hit's explanation lists the query lexemes it contains and the ranking parameters.
 * @internal
 */
export async function textSearch(
  db: Queryable,
  table: string,
  textConfig: string,
  q: {
    query: string;
    depth: number;
    options: TextSearchOptions;
    onlyChunk?: string | undefined;
    filter?: MetadataFilter | undefined;
  },
): Promise<RetrievedHit[]> {
  const { query, depth, onlyChunk } = q;
  if (typeof query !== 'string') invalidArgument('query', query, 'a string');
  checkInteger('depth', depth, 1);
  const o = textOptions(q.options);
  const lexemes = await queryLexemes(db, textConfig, query);
  if (lexemes.length === 0) return [];
  const tsquery = lexemes
    .map((l) => `'${l.replaceAll("'", "''")}'`)
    .join(o.operator === 'and' ? ' & ' : ' | ');
  const f = q.filter ? filterSql(q.filter, onlyChunk === undefined ? 5 : 6) : null;
  const where = `${onlyChunk === undefined ? '' : 'AND id = $5'}${f ? ` AND ${f.sql}` : ''}`;
  const { rows } = await db.query(
    `SELECT id, doc_id, ${o.rank}(tsv, q, $2) AS score,
            ARRAY(SELECT l FROM unnest(tsvector_to_array(tsv)) AS l WHERE l = ANY($3::text[]) ORDER BY l) AS matched
       FROM ${table}, to_tsquery($4::regconfig, $1) AS q
      WHERE tsv @@ q ${where}
      ORDER BY score DESC, id LIMIT ${depth}`,
    [
      ...(onlyChunk === undefined
        ? [tsquery, o.rankNormalization, lexemes, textConfig]
        : [tsquery, o.rankNormalization, lexemes, textConfig, onlyChunk]),
      ...(f?.values ?? []),
    ],
  );
  return rows.map((r) => ({
    chunkId: String(r.id),
    docId: String(r.doc_id),
    score: Number(r.score),
    explanation: { matched: r.matched as string[], queryLexemes: lexemes, ...o, textConfig },
  }));
}
