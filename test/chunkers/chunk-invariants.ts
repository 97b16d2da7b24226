import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Chunk } from '../../src/core/document.js';

/** Repo-relative path into ../shared; throws (never skips) when the shared folder is missing. */
export function sharedPath(...parts: string[]): string {
  const p = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared', ...parts);
  if (!fs.existsSync(p)) {
    throw new Error(
      `shared test data missing: ${p} (expected ../shared beside the repo; see shared/data/README.md)`,
    );
  }
  return p;
}

/** The five Chroma evaluation corpora. */
export function chromaCorpora(): Array<{ name: string; text: string }> {
  const dir = sharedPath('data/chroma/corpora');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.md'));
  if (files.length !== 5) throw new Error(`expected 5 Chroma corpora in ${dir}, found ${files.length}`);
  return files.sort().map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** Random texts with CRLF, astral characters, whitespace runs, markdown headings, punctuation. */
export const textArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.constantFrom(
        'a',
        'word',
        'longerword',
        ' ',
        '  ',
        '\n',
        '\r\n',
        '\n\n',
        '\t',
        '.',
        '?',
        '!',
        '😀',
        '𝒜𝒷',
        'é',
        'ﬁ',
        '中文',
        '# Title\n',
        '\n## Sub section\n',
        '### x\r\n',
        '#nospace',
        '\u00a0',
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join('')),
  fc.constantFrom('', ' ', '\n\n\n', ' \r\n \t ', '😀', '😀😀😀'),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
);

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** True when offset i falls between the two halves of a surrogate pair. */
export function splitsPair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isLow(text.charCodeAt(i)) && isHigh(text.charCodeAt(i - 1));
}

/** Invariants shared by every chunker: exact offsets, order, no cut surrogate pair, non-empty, indices. */
export function expectBasicInvariants(text: string, chunks: Chunk[]): void {
  const problems: string[] = [];
  let prevStart = -1;
  let prevEnd = -1;
  chunks.forEach((c, i) => {
    const where = `chunk ${i} [${c.start}, ${c.end})`;
    if (c.index !== i) problems.push(`${where}: index ${c.index}`);
    if (text.slice(c.start, c.end) !== c.text) problems.push(`${where}: text does not match the offsets`);
    if (c.end <= c.start) problems.push(`${where}: empty`);
    if (c.start < prevStart || c.end < prevEnd) problems.push(`${where}: out of order`);
    if (splitsPair(text, c.start) || splitsPair(text, c.end))
      problems.push(`${where}: cuts a surrogate pair`);
    prevStart = c.start;
    prevEnd = c.end;
  });
  if (new Set(chunks.map((c) => c.id)).size !== chunks.length) problems.push('duplicate chunk ids');
  expect(problems.slice(0, 5)).toEqual([]);
}

/** Number of code points in a string. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
