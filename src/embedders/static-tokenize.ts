// A word (letters/digits, with inner hyphens, dots and apostrophes: "e-mail", "u.s.", "don't") or one other mark.
const TOKEN_RE = /[\p{L}\p{N}]+(?:[-.'’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;
const CLITIC_RE = /^(.+?)('(?:s|re|ve|ll|d|m))$/;
const PUNCT_RE = /^[^\p{L}\p{N}]$/u;

/**
 * Split text the way GloVe's corpus was tokenised (approximately): lower-cased, punctuation marks as separate
 * tokens, clitics split off (`don't` -> `do`, `n't`; `it's` -> `it`, `'s`).
 *
 * @example
 * ```ts
 * gloveTokenize("Don't panic, it's fine."); // ['do', "n't", 'panic', ',', 'it', "'s", 'fine', '.']
 * ```
 */
export function gloveTokenize(
  text: string,
  options: { lowercase?: boolean; punctuation?: boolean } = {},
): string[] {
  const s = (options.lowercase ?? true) ? text.toLowerCase() : text;
  const keepPunct = options.punctuation ?? true;
  const out: string[] = [];
  for (const m of s.matchAll(TOKEN_RE)) {
    let tok = m[0].replace(/’/g, "'");
    if (PUNCT_RE.test(tok)) {
      if (keepPunct) out.push(tok);
      continue;
    }
    if (tok.includes("'")) {
      const lower = tok.toLowerCase();
      if (lower.endsWith("n't") && tok.length > 3) {
        out.push(tok.slice(0, -3), tok.slice(-3));
        continue;
      }
      const c = CLITIC_RE.exec(lower);
      if (c?.[1] && c[2]) {
        out.push(tok.slice(0, c[1].length), tok.slice(c[1].length));
        continue;
      }
      tok = tok.replace(/'$/, '');
    }
    out.push(tok);
  }
  return out;
}
