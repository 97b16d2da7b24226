import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The version of the installed ragscope package, read from the nearest `package.json` named `ragscope` above
 * this module (source, `dist/` and bundled chunks all sit below it); `'0.0.0'` when none is found.
 * @internal
 */
export function ragscopeVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  try {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === 'ragscope' && typeof pkg.version === 'string') {
          cached = pkg.version;
          break;
        }
      } catch {
        // not here: go up
      }
      dir = path.dirname(dir);
    }
  } catch {
    // no import.meta.url (unusual bundlers): keep the fallback
  }
  return cached;
}
