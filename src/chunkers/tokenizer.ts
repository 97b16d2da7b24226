import { invalidArgument, RagscopeError } from '../core/errors.js';
import { MemoBpe } from './bpe.js';
import type { Tokenizer } from './length.js';

/** The part of `@huggingface/tokenizers`' Tokenizer that we use. */
interface HfTokenizerImpl {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[]; tokens: string[] };
  normalizer: ((text: string) => string) | null;
}

/** How one source code point behaves after the BERT-style normalizer. */
interface CharInfo {
  /** Normalized form with whitespace removed ('' for whitespace, control characters, lone accents). */
  norm: string;
  /** The character is its own pre-token or separates pre-tokens (whitespace, punctuation, CJK). */
  brk: boolean;
}

const PUNCT = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const WS = /\s/gu;

/**
 * A Hugging Face tokenizer (`tokenizer.json`) run by the pure-JavaScript `@huggingface/tokenizers` package — the same
 * tokenizer implementation transformers.js uses, loaded without onnxruntime. `spans` maps every token back to
 * exact offsets in the ORIGINAL text, even though WordPiece lower-cases and strips accents: a character that
 * normalizes to several token characters belongs to the first token touching it (later tokens inside it get an
 * empty span at its end), and `[UNK]` covers the whole pre-token (word or punctuation mark) it replaced.
 * Alignment is exact for WordPiece/BERT-style and word-level tokenizers (checked on the Chroma corpora); a token
 * that cannot be matched against the normalized text (e.g. byte-level `Ġ` tokens) falls back to the span of the
 * word at the cursor, so spans stay ordered and inside the text. Use {@link TiktokenTokenizer} for OpenAI BPE.
 *
 * @example
 * ```ts
 * const tok = await HfTokenizer.fromDirectory('../shared/models/all-MiniLM-L6-v2-tokenizer');
 * tok.encode('Hello world'); // [7592, 2088]
 * tok.spans('Héllo world'); // [[0, 5], [6, 11]]
 * ```
 */
export class HfTokenizer implements Tokenizer {
  /** Stable id (by default the tokenizer's folder name, e.g. `all-MiniLM-L6-v2-tokenizer`). */
  readonly id: string;
  private readonly impl: HfTokenizerImpl;
  private readonly chars = new Map<string, CharInfo>();

  private constructor(id: string, impl: HfTokenizerImpl) {
    this.id = id;
    this.impl = impl;
  }

  /**
   * Build from an already parsed `tokenizer.json` (and optional `tokenizer_config.json`).
   *
   * @param id - stable id of the tokenizer (part of chunk ids and cache keys).
   * @example
   * ```ts
   * const tok = await HfTokenizer.fromJSON('my-model', JSON.parse(tokenizerJsonText));
   * ```
   */
  static async fromJSON(
    id: string,
    tokenizerJson: unknown,
    tokenizerConfig: unknown = {},
  ): Promise<HfTokenizer> {
    if (typeof id !== 'string' || id.length === 0) invalidArgument('id', id, 'a non-empty string');
    if (tokenizerJson === null || typeof tokenizerJson !== 'object' || !('model' in tokenizerJson)) {
      invalidArgument(
        'tokenizerJson',
        tokenizerJson,
        'a parsed tokenizer.json object (with a "model" field)',
      );
    }
    const { Tokenizer: Impl } = await import('@huggingface/tokenizers');
    try {
      const impl = new Impl(
        tokenizerJson as object,
        (tokenizerConfig ?? {}) as object,
      ) as unknown as HfTokenizerImpl;
      return new HfTokenizer(id, impl);
    } catch (err) {
      throw new RagscopeError(
        'MODEL_UNAVAILABLE',
        `tokenizer ${JSON.stringify(id)} could not be built: ${(err as Error).message}`,
        { id },
        err,
      );
    }
  }

  /**
   * Load `tokenizer.json` (and `tokenizer_config.json` beside it, if present) from a file path.
   * The id defaults to the name of the folder holding the file.
   *
   * @example
   * ```ts
   * const tok = await HfTokenizer.fromFile('../shared/models/all-MiniLM-L6-v2-tokenizer/tokenizer.json');
   * ```
   */
  static async fromFile(file: string, options: { id?: string } = {}): Promise<HfTokenizer> {
    if (typeof file !== 'string' || file.length === 0)
      invalidArgument('file', file, 'a path to a tokenizer.json');
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    let json: unknown;
    try {
      json = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (err) {
      throw new RagscopeError(
        'MODEL_UNAVAILABLE',
        `tokenizer file ${JSON.stringify(file)} could not be read as JSON: ${(err as Error).message}`,
        { param: 'file', value: file },
        err,
      );
    }
    let config: unknown = {};
    try {
      config = JSON.parse(await fs.readFile(path.join(path.dirname(file), 'tokenizer_config.json'), 'utf8'));
    } catch {
      config = {};
    }
    const id = options.id ?? path.basename(path.dirname(path.resolve(file)));
    return HfTokenizer.fromJSON(id, json, config);
  }

  /**
   * Load `<dir>/tokenizer.json` (a transformers.js / Hugging Face model folder). The id defaults to the folder name.
   *
   * @example
   * ```ts
   * const tok = await HfTokenizer.fromDirectory('../shared/models/all-MiniLM-L6-v2-tokenizer');
   * tok.count('Refunds take five days.'); // 6
   * ```
   */
  static async fromDirectory(dir: string, options: { id?: string } = {}): Promise<HfTokenizer> {
    if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a model folder path');
    const path = await import('node:path');
    return HfTokenizer.fromFile(path.join(dir, 'tokenizer.json'), {
      id: options.id ?? path.basename(path.resolve(dir)),
    });
  }

  /** Token ids, without special tokens. */
  encode(text: string): number[] {
    checkText(text);
    return this.impl.encode(text, { add_special_tokens: false }).ids;
  }

  /** Number of tokens, without special tokens. */
  count(text: string): number {
    return this.encode(text).length;
  }

  /** Token strings, without special tokens (e.g. `['un', '##believ', '##able']`). */
  tokens(text: string): string[] {
    checkText(text);
    return this.impl.encode(text, { add_special_tokens: false }).tokens;
  }

  /** `[start, end)` spans in `text` of each token (see the class comment for how normalization is handled). */
  spans(text: string): Array<[number, number]> {
    checkText(text);
    const tokens = this.impl.encode(text, { add_special_tokens: false }).tokens;
    return this.align(text, tokens);
  }

  private info(ch: string): CharInfo {
    let info = this.chars.get(ch);
    if (info === undefined) {
      const raw = this.impl.normalizer ? this.impl.normalizer(ch) : ch;
      const norm = raw.replace(WS, '');
      const brk =
        (raw.length > 0 && norm.length === 0) || PUNCT.test(norm) || (norm.length > 0 && raw !== norm);
      info = { norm, brk };
      this.chars.set(ch, info);
    }
    return info;
  }

  private align(text: string, tokens: string[]): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    const n = text.length;
    // Cursor: the current source character [curStart, curEnd), its normalized form cur, and np = how much of cur
    // earlier tokens consumed.
    let curStart = 0;
    let curEnd = 0;
    let cur = '';
    let np = 0;
    let prevEnd = 0;
    const nextChar = (): boolean => {
      if (curEnd >= n) return false;
      curStart = curEnd;
      const c = text.charCodeAt(curStart);
      curEnd = curStart + (c >= 0xd800 && c <= 0xdbff && curStart + 1 < n ? 2 : 1);
      cur = this.info(text.slice(curStart, curEnd)).norm;
      np = 0;
      return true;
    };
    for (const token of tokens) {
      const piece = token.length > 2 && token.startsWith('##') ? token.slice(2) : token;
      const saved = [curStart, curEnd, cur, np] as const;
      let start = -1;
      let k = 0;
      let ok = true;
      while (k < piece.length) {
        if (np >= cur.length) {
          if (!nextChar()) {
            ok = false;
            break;
          }
          continue;
        }
        if (start < 0) start = np === 0 ? curStart : curEnd;
        if (cur.charCodeAt(np) !== piece.charCodeAt(k)) {
          ok = false;
          break;
        }
        np++;
        k++;
      }
      if (ok && start >= 0) {
        const end = curEnd;
        spans.push([Math.max(start, prevEnd), end]);
        prevEnd = end;
        continue;
      }
      // [UNK] (or a token we cannot match): it stands for the whole pre-token at the cursor.
      [curStart, curEnd, cur, np] = saved;
      if (np > 0 && np < cur.length) np = cur.length;
      // skip to the next character that produces something
      while (np >= cur.length) {
        if (!nextChar()) break;
      }
      if (np >= cur.length) {
        spans.push([prevEnd, prevEnd]);
        continue;
      }
      const s = curStart;
      if (this.info(text.slice(curStart, curEnd)).brk) {
        np = cur.length;
      } else {
        // extend over following non-breaking characters
        for (;;) {
          np = cur.length;
          if (curEnd >= n) break;
          const c = text.charCodeAt(curEnd);
          const len = c >= 0xd800 && c <= 0xdbff && curEnd + 1 < n ? 2 : 1;
          const next = this.info(text.slice(curEnd, curEnd + len));
          if (next.brk) break;
          nextChar();
        }
      }
      const st = Math.max(s, prevEnd);
      spans.push([st, curEnd]);
      prevEnd = curEnd;
    }
    return spans;
  }
}

/** The part of js-tiktoken's Tiktoken that we use. */
interface TiktokenImpl {
  encode(text: string, allowedSpecial?: string[] | 'all', disallowedSpecial?: string[] | 'all'): number[];
  textMap?: Map<number, Uint8Array>;
}

/**
 * An OpenAI byte-level BPE tokenizer (`cl100k_base` by default) with the pure-JavaScript `js-tiktoken`'s ranks and
 * pre-tokenizer; the tokens of each distinct pre-token piece are remembered (at most 200k pieces of <= 256 chars),
 * which gives exactly js-tiktoken's ids ~10x faster on real text, and long pieces merge in O(n log n).
 * Chroma's chunking evaluation counts chunk sizes in cl100k tokens. Special-token text such as `<|endoftext|>` is
 * encoded as ordinary text. Since a token may end inside a multi-byte character, `spans` rounds every byte offset up
 * to the next UTF-16 character boundary: a character split across tokens belongs to the first of them, and a token
 * lying wholly inside one character gets an empty span.
 *
 * @example
 * ```ts
 * const tok = await TiktokenTokenizer.load(); // cl100k_base
 * tok.count('Hello world'); // 2
 * tok.spans('a 😀'); // [[0, 1], [1, 4], ...]
 * ```
 */
export class TiktokenTokenizer implements Tokenizer {
  /** e.g. `cl100k_base`. */
  readonly id: string;
  private readonly impl: TiktokenImpl;
  /** Exact memoising encoder over the same ranks (see bpe.ts); null if this js-tiktoken hides its ranks. */
  private readonly bpe: MemoBpe | null;

  private constructor(id: string, impl: TiktokenImpl) {
    this.id = id;
    this.impl = impl;
    this.bpe = MemoBpe.from(impl as unknown as Parameters<typeof MemoBpe.from>[0]);
  }

  /**
   * Load an encoding shipped with js-tiktoken (no network): `cl100k_base` (default), `o200k_base`, `p50k_base`,
   * `r50k_base` or `gpt2`.
   *
   * @example
   * ```ts
   * const tok = await TiktokenTokenizer.load('cl100k_base');
   * ```
   */
  static async load(encoding = 'cl100k_base'): Promise<TiktokenTokenizer> {
    const { Tiktoken } = await import('js-tiktoken/lite');
    let ranks: unknown;
    switch (encoding) {
      case 'cl100k_base':
        ranks = (await import('js-tiktoken/ranks/cl100k_base')).default;
        break;
      case 'o200k_base':
        ranks = (await import('js-tiktoken/ranks/o200k_base')).default;
        break;
      case 'p50k_base':
        ranks = (await import('js-tiktoken/ranks/p50k_base')).default;
        break;
      case 'r50k_base':
        ranks = (await import('js-tiktoken/ranks/r50k_base')).default;
        break;
      case 'gpt2':
        ranks = (await import('js-tiktoken/ranks/gpt2')).default;
        break;
      default:
        invalidArgument(
          'encoding',
          encoding,
          "one of 'cl100k_base', 'o200k_base', 'p50k_base', 'r50k_base', 'gpt2'",
        );
    }
    const impl = new Tiktoken(ranks as ConstructorParameters<typeof Tiktoken>[0]) as unknown as TiktokenImpl;
    return new TiktokenTokenizer(encoding, impl);
  }

  /** Token ids; special-token text is treated as ordinary text. */
  encode(text: string): number[] {
    checkText(text);
    return this.bpe ? this.bpe.encode(text) : this.impl.encode(text, [], []);
  }

  /** Number of tokens. */
  count(text: string): number {
    checkText(text);
    return this.bpe ? this.bpe.count(text) : this.impl.encode(text, [], []).length;
  }

  /** `[start, end)` spans of each token, on UTF-16 character boundaries (see the class comment). */
  spans(text: string): Array<[number, number]> {
    const ids = this.encode(text);
    const map = this.impl.textMap;
    if (!(map instanceof Map)) {
      throw new RagscopeError(
        'MODEL_UNAVAILABLE',
        'this js-tiktoken version does not expose token bytes (textMap)',
      );
    }
    const spans: Array<[number, number]> = [];
    const n = text.length;
    // Walk characters with their UTF-8 byte lengths; pos/bytePos is the start of the current character.
    let pos = 0;
    let bytePos = 0;
    let tokenByte = 0;
    let prevEnd = 0;
    const advanceTo = (target: number): number => {
      // Smallest character boundary whose byte offset is >= target.
      while (bytePos < target && pos < n) {
        const c = text.charCodeAt(pos);
        if (c < 0x80) {
          bytePos += 1;
          pos += 1;
        } else if (c < 0x800) {
          bytePos += 2;
          pos += 1;
        } else if (c >= 0xd800 && c <= 0xdbff && pos + 1 < n) {
          const d = text.charCodeAt(pos + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            bytePos += 4;
            pos += 2;
          } else {
            bytePos += 3;
            pos += 1;
          }
        } else {
          bytePos += 3;
          pos += 1;
        }
      }
      return pos;
    };
    for (const id of ids) {
      const bytes = map.get(id);
      const len = bytes ? bytes.length : 0;
      const start = Math.max(prevEnd, advanceTo(tokenByte));
      tokenByte += len;
      const end = advanceTo(tokenByte);
      spans.push([start, end]);
      prevEnd = end;
    }
    return spans;
  }
}

function checkText(text: unknown): void {
  if (typeof text !== 'string') invalidArgument('text', text, 'a string');
}
