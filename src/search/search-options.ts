import { RagscopeError, showValue } from '../core/errors.js';

/** The options `RetrievalPipeline.search` takes (`SearchOptions`). */
const SEARCH_OPTIONS: ReadonlySet<string> = new Set([
  'k',
  'depth',
  'fusion',
  'rerank',
  'minScore',
  'queryVector',
  'filter',
]);

/**
 * Reject an unknown `search()` option (e.g. `filter`) with the list of known ones: silently ignoring it would return
 * unfiltered hits that look filtered. @internal
 */
export function checkSearchOptionKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if (!SEARCH_OPTIONS.has(key)) {
      const value = (options as Record<string, unknown>)[key];
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `unknown search option ${JSON.stringify(key)} (value ${showValue(value)}): search() takes ${[...SEARCH_OPTIONS].join(', ')}`,
        { param: `options.${key}`, value },
      );
    }
  }
}
