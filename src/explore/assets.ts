import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RagscopeError } from '../core/errors.js';

/** The files of the page; nothing else is ever served from disk. @internal */
export const ASSET_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/style.css': 'style.css',
  '/app.js': 'app.js',
  '/dom.js': 'dom.js',
  '/query.js': 'query.js',
  '/document.js': 'document.js',
  '/whynot.js': 'whynot.js',
  '/lines.js': 'lines.js',
  '/failures.js': 'failures.js',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/**
 * The folder holding the page's static files. In the source tree they sit in `src/explore/static/`; the package
 * build copies them to `dist/explore/`, and the code that runs this may be `dist/cli/main.js` or a shared chunk
 * at the root of `dist/`, so both neighbours are tried. import.meta.url only (tsup shims it in the CJS build).
 * @internal
 */
export function assetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'static'),
    path.join(here, 'explore'),
    path.join(here, '..', 'explore'),
  ];
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'app.js'))) return dir;
  }
  throw new RagscopeError(
    'NOT_FOUND',
    `the explore page's files were not found; looked in ${candidates.join(', ')} (rebuild the package with npm run build)`,
    { files: candidates },
  );
}

/** A static file read once into memory. @internal */
export interface Asset {
  body: Buffer;
  type: string;
}

/** Read every page file from {@link assetsDir} (they are small) so a request never touches the disk. @internal */
export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [route, file] of Object.entries(ASSET_FILES)) {
    const full = path.join(dir, file);
    let body: Buffer;
    try {
      body = readFileSync(full);
    } catch (err) {
      throw new RagscopeError('NOT_FOUND', `explore page file missing: ${full}`, { file: full }, err);
    }
    out.set(route, { body, type: TYPES[path.extname(file)] ?? 'application/octet-stream' });
  }
  return out;
}
