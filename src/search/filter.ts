import { RagscopeError, showValue } from '../core/errors.js';

/**
 * A value a {@link MetadataFilter} compares a metadata field with (strict equality).
 *
 * @example
 * ```ts
 * const v: FilterValue = 'pubmed.md';
 * ```
 */
export type FilterValue = string | number | boolean | null;

/**
 * A filter on chunk metadata (which holds the document's metadata plus what the chunker adds): every key must
 * match; a value is an equality, an array is any-of. A chunk without the field does not match.
 *
 * @example
 * ```ts
 * const f: MetadataFilter = { file: 'pubmed.md', lang: ['en', 'de'] }; // file = pubmed.md AND lang in (en, de)
 * await pipeline.search('stent restenosis', { k: 5, filter: f });
 * ```
 */
export type MetadataFilter = Readonly<Record<string, FilterValue | readonly FilterValue[]>>;

const isScalar = (v: unknown): v is FilterValue =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

function bad(key: string | null, value: unknown, why: string): never {
  const param = key === null ? 'filter' : `filter.${key}`;
  throw new RagscopeError('INVALID_ARGUMENT', `${param} ${showValue(value)}: ${why}`, { param, value });
}

/**
 * Check a {@link MetadataFilter}: a plain object with at least one key, each key a non-empty field name, each value a
 * string, finite number, boolean or null, or a non-empty array of them. A `RagscopeError` names the bad key.
 *
 * @example
 * ```ts
 * checkFilter({ file: 'a.md' }); // returns it
 * checkFilter({ file: [] }); // throws: filter.file [] ... a non-empty array
 * ```
 */
export function checkFilter(filter: unknown): MetadataFilter {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter))
    bad(null, filter, 'expected an object of metadata field -> value or [values]');
  const keys = Object.keys(filter);
  if (keys.length === 0) bad(null, filter, 'expected at least one metadata field');
  for (const key of keys) {
    const v = (filter as Record<string, unknown>)[key];
    if (key.trim() === '') bad(key, v, 'a field name must not be empty');
    if (Array.isArray(v)) {
      if (v.length === 0) bad(key, v, 'expected a non-empty array of values (any-of)');
      const odd = v.find((x) => !isScalar(x));
      if (odd !== undefined) bad(key, v, `${showValue(odd)} is not a string, finite number, boolean or null`);
    } else if (!isScalar(v))
      bad(key, v, 'expected a string, finite number, boolean or null, or an array of them');
  }
  return filter as MetadataFilter;
}

/**
 * Whether chunk (or document) metadata passes a filter: every key present with an equal value (any of the array's).
 *
 * @example
 * ```ts
 * matchesFilter({ file: 'a.md', lang: 'en' }, { lang: ['en', 'fr'] }); // true
 * matchesFilter({ file: 'a.md' }, { lang: 'en' }); // false: no lang field
 * ```
 */
export function matchesFilter(
  metadata: Readonly<Record<string, unknown>> | undefined,
  filter: MetadataFilter,
): boolean {
  for (const [key, want] of Object.entries(filter)) {
    if (!metadata || !Object.hasOwn(metadata, key)) return false;
    const got = metadata[key];
    if (Array.isArray(want) ? !want.includes(got as FilterValue) : got !== want) return false;
  }
  return true;
}

/**
 * A filter as one line, the form `--filter` takes: `file=pubmed.md,lang=en|fr`.
 *
 * @example
 * ```ts
 * describeFilter({ file: 'a.md', lang: ['en', 'fr'] }); // 'file=a.md,lang=en|fr'
 * ```
 */
export function describeFilter(filter: MetadataFilter): string {
  const show = (v: FilterValue) => (typeof v === 'string' ? v : JSON.stringify(v));
  return Object.entries(filter)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.map(show).join('|') : show(v as FilterValue)}`)
    .join(',');
}

/**
 * Parse the `--filter` form: `field=value[|value...]` pairs joined by `,` (any-of within a field). Values that are
 * JSON numbers, `true`, `false` or `null` are read as such (quote them, `"2020"`, to keep a string).
 *
 * @example
 * ```ts
 * parseFilter('file=pubmed.md'); // { file: 'pubmed.md' }
 * parseFilter('lang=en|fr,year=2020'); // { lang: ['en', 'fr'], year: 2020 }
 * ```
 */
export function parseFilter(expr: string): MetadataFilter {
  if (typeof expr !== 'string' || expr.trim() === '')
    bad(null, expr, 'expected field=value[|value...][,field=value...]');
  const out: Record<string, FilterValue | FilterValue[]> = {};
  for (const part of expr.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) bad(null, expr, `${showValue(part)} is not field=value`);
    const key = part.slice(0, at).trim();
    if (Object.hasOwn(out, key)) bad(key, expr, 'the field is given twice (use a|b for any-of)');
    const values = part
      .slice(at + 1)
      .split('|')
      .map((raw): FilterValue => {
        const t = raw.trim();
        if (/^-?\d+(\.\d+)?$/.test(t) || t === 'true' || t === 'false' || t === 'null' || /^".*"$/.test(t))
          return JSON.parse(t) as FilterValue;
        return t;
      });
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return checkFilter(out);
}
