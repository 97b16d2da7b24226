// bm25.bin layout 1 (index format 4, still read): postings as (rank delta, tf) LEB128 pairs.

/** Returned by a postings decoder when a chunk length overflows int32 (the caller retries with float64). @internal */
export const OVERFLOW = -(2 ** 53);
/** Largest term frequency (and int32 chunk length) a load accepts. @internal */
export const MAX_TF = 0x7fffffff;

/**
 * Layout 1 (format 4): `df` (rank delta, tf) LEB128 pairs from `pos` into `nums`/`tfs`, adding each tf to its
 * chunk's length. Returns the position after them, `-1 - pos` at a bad posting, or OVERFLOW. @internal
 */
export function decodePostingsV1(
  buf: Uint8Array,
  pos: number,
  df: number,
  n: number,
  nums: Int32Array,
  tfs: Int32Array,
  lens: Int32Array,
): number {
  const end = buf.length;
  let at = -1;
  for (let i = 0; i < df; i++) {
    if (pos >= end) return -1 - pos;
    let b = buf[pos++] as number;
    let v = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      v += (b & 0x7f) * mul;
    }
    at += v + 1;
    if (pos >= end) return -1 - pos;
    b = buf[pos++] as number;
    let tf = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      tf += (b & 0x7f) * mul;
    }
    if (at >= n || tf < 1 || tf > MAX_TF) return -1 - pos;
    nums[i] = at;
    tfs[i] = tf;
    const len = (lens[at] as number) + tf;
    if (len > MAX_TF) return OVERFLOW;
    lens[at] = len;
  }
  return pos;
}

/** {@link decodePostingsV1} with float64 chunk lengths (the overflow path). @internal */
export function decodePostingsV1x64(
  buf: Uint8Array,
  pos: number,
  df: number,
  n: number,
  nums: Int32Array,
  tfs: Int32Array,
  lens: Float64Array,
): number {
  const end = buf.length;
  let at = -1;
  for (let i = 0; i < df; i++) {
    if (pos >= end) return -1 - pos;
    let b = buf[pos++] as number;
    let v = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      v += (b & 0x7f) * mul;
    }
    at += v + 1;
    if (pos >= end) return -1 - pos;
    b = buf[pos++] as number;
    let tf = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      tf += (b & 0x7f) * mul;
    }
    if (at >= n || tf < 1 || tf > MAX_TF) return -1 - pos;
    nums[i] = at;
    tfs[i] = tf;
    lens[at] = (lens[at] as number) + tf;
  }
  return pos;
}
