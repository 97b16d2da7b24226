import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RagscopeError } from '../core/errors.js';

let cached: string | undefined;

/**
 * The source of Chart.js's UMD build (`chart.js/dist/chart.umd.min.js`, else `chart.umd.js`), read from the
 * installed `chart.js` package on first use and cached. It is inlined into the HTML report so the report opens
 * without a network. Throws `RagscopeError('NOT_FOUND')` when the package or the file cannot be found, and
 * `CORRUPT_FILE` when the source could end an inline `<script>` element.
 * @internal
 */
export function chartJsSource(): string {
  if (cached !== undefined) return cached;
  // import.meta.url only: in the ESM build `typeof require` became esbuild's `__require` shim, which has no
  // `.resolve`, and tsup shims import.meta.url in the CJS build (scripts/check-dist.mjs rejects the shim).
  const req = createRequire(import.meta.url);
  let dist: string;
  try {
    // The package's `exports` hide `dist/*`; resolve the main entry (dist/chart.cjs) and look beside it.
    dist = path.dirname(req.resolve('chart.js'));
  } catch (err) {
    throw new RagscopeError(
      'NOT_FOUND',
      'the chart.js package is not installed; it is needed to render the HTML report',
      {},
      err,
    );
  }
  const candidates = ['chart.umd.min.js', 'chart.umd.js'].map((f) => path.join(dist, f));
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (/<\/script|<!--/i.test(text)) {
      throw new RagscopeError('CORRUPT_FILE', `${file} contains "</script" or "<!--" and cannot be inlined`, {
        file,
      });
    }
    cached = text;
    return text;
  }
  throw new RagscopeError('NOT_FOUND', `Chart.js UMD build not found; looked for ${candidates.join(', ')}`, {
    files: candidates,
  });
}
