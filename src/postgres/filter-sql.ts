import { checkFilter, type MetadataFilter } from '../search/filter.js';

/**
 * A {@link MetadataFilter} as an SQL condition on a `metadata jsonb` column: per field, jsonb containment of
 * `{"field": value}` (JSON equality, so `1` and `'1'` differ and a missing field never matches, as in
 * `matchesFilter`), OR-ed over an any-of list and AND-ed over fields. Values are bound parameters starting at
 * `$<first>`. @internal
 */
export function filterSql(
  filter: MetadataFilter,
  first: number,
  column = 'metadata',
): { sql: string; values: string[] } {
  const values: string[] = [];
  const parts: string[] = [];
  for (const [key, want] of Object.entries(checkFilter(filter))) {
    const options = (Array.isArray(want) ? want : [want]).map((v) => {
      values.push(JSON.stringify({ [key]: v }));
      return `${column} @> $${first + values.length - 1}::jsonb`;
    });
    parts.push(options.length === 1 ? options[0]! : `(${options.join(' OR ')})`);
  }
  return { sql: parts.join(' AND '), values };
}
