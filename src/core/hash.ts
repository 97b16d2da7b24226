/**
 * cyrb53-style 53-bit string hash, pure JavaScript (no node:crypto) so chunkers run anywhere.
 * Used for stable chunk ids; not a cryptographic hash.
 * @internal
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Hex form of {@link hash53}, zero-padded to 14 characters. @internal */
export function hashHex(text: string, seed = 0): string {
  return hash53(text, seed).toString(16).padStart(14, '0');
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** hash53's state after `${salt}\u0000` for the last salt seen (chunkers call with one salt many times). */
let lastSalt: string | undefined;
let saltH1 = 0;
let saltH2 = 0;

/**
 * The 8 hex characters of a chunk id, exactly `hashHex(text.slice(start, end), seed).slice(0, 8)` with
 * `seed = hash53(`${salt}\u0000${start}:${end}`) % 2 ** 32` (the id scheme of `makeChunk`), computed without
 * building the seed string, without slicing and without `Number#toString(16)` (the cost of chunk ids in the
 * recursive chunker). `0 <= start <= end <= text.length` is assumed.
 * @internal
 */
export function chunkHash8(text: string, start: number, end: number, salt: string): string {
  if (salt !== lastSalt) {
    let a = 0xdeadbeef;
    let b = 0x41c6ce57;
    for (let i = 0; i < salt.length; i++) {
      const ch = salt.charCodeAt(i);
      a = Math.imul(a ^ ch, 2654435761);
      b = Math.imul(b ^ ch, 1597334677);
    }
    a = Math.imul(a ^ 0, 2654435761);
    b = Math.imul(b ^ 0, 1597334677);
    lastSalt = salt;
    saltH1 = a;
    saltH2 = b;
  }
  // The seed: hash53 of `${salt}\u0000${start}:${end}`, continued from the salt's state; its low 32 bits.
  let s1 = saltH1;
  let s2 = saltH2;
  const digits = `${start}:${end}`;
  for (let i = 0; i < digits.length; i++) {
    const ch = digits.charCodeAt(i);
    s1 = Math.imul(s1 ^ ch, 2654435761);
    s2 = Math.imul(s2 ^ ch, 1597334677);
  }
  s1 = Math.imul(s1 ^ (s1 >>> 16), 2246822507) ^ Math.imul(s2 ^ (s2 >>> 13), 3266489909);
  const seed = s1 >>> 0;
  // hash53(text.slice(start, end), seed), read in place.
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // The 53-bit value is 2^32 * (h2 & 0x1fffff) + (h1 >>> 0), 14 hex digits zero-padded: its first 8 digits are the
  // 6 digits of the high 21 bits and the top 2 digits of h1.
  const hi = h2 & 0x1fffff;
  return HEX2[hi >>> 16]! + HEX2[(hi >>> 8) & 255]! + HEX2[hi & 255]! + HEX2[h1 >>> 24]!;
}
