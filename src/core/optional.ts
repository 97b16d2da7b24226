import { RagscopeError } from './errors.js';

/**
 * The optional peer dependencies: heavy or native packages a plain `npm install ragscope` does not pull in
 * (the LangChain.js convention). Each is imported lazily by the stage that needs it.
 * @internal
 */
export type OptionalPeer = '@huggingface/transformers' | 'hnswlib-node' | 'pg' | '@langchain/core';

const INSTALL_NOTES: Record<OptionalPeer, string> = {
  '@huggingface/transformers': 'it brings ONNX Runtime, a few hundred MB',
  'hnswlib-node': 'a native addon; it may need a C++ toolchain to build',
  pg: 'node-postgres, the client production Postgres code uses',
  '@langchain/core': 'only LangChain.js users need it',
};

/** True when `err` says that `pkg` itself (not one of its own imports) cannot be found. */
function isNotInstalled(err: unknown, pkg: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = err instanceof Error ? err.message : String(err);
  // ESM: "Cannot find package 'hnswlib-node' imported from ..."; CJS: "Cannot find module 'hnswlib-node'".
  return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`);
}

/**
 * Run `load` (a literal `import('<pkg>')`, kept at the call site so bundlers and types see it) and turn a failure
 * into `RagscopeError('MISSING_DEPENDENCY')` that names the package, what needs it, and how to install it.
 * `neededFor` completes "needed for ..." (e.g. `'vector index "hnsw"'`); `alternative`, when given, is appended
 * as the way to do without the package.
 * @internal
 */
export async function importOptional<T>(
  pkg: OptionalPeer,
  neededFor: string,
  load: () => Promise<T>,
  alternative?: string,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw missingDependency(pkg, neededFor, err, alternative);
  }
}

/**
 * The `MISSING_DEPENDENCY` error for an optional peer that could not be imported: absent (`details.installed`
 * false) or present but failing to load (e.g. a native binary built for another platform).
 * @internal
 */
export function missingDependency(
  pkg: OptionalPeer,
  neededFor: string,
  cause: unknown,
  alternative?: string,
): RagscopeError {
  const installed = !isNotInstalled(cause, pkg);
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  const what = installed
    ? `${pkg} is installed but could not be loaded (${reason}); it is an optional peer dependency of ragscope, ` +
      `needed for ${neededFor}. Reinstall it with \`npm install ${pkg}\``
    : `${pkg} is not installed; it is an optional peer dependency of ragscope, needed for ${neededFor}. ` +
      `Install it with \`npm install ${pkg}\``;
  return new RagscopeError(
    'MISSING_DEPENDENCY',
    `${what} (${INSTALL_NOTES[pkg]}).${alternative ? ` ${alternative}` : ''}`,
    { package: pkg, neededFor, installed },
    cause,
  );
}
