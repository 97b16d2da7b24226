/** Typed arrays the in-memory indexes grow in place. @internal */
export type GrowableArray = Int32Array | Uint8Array | Float64Array;

/**
 * A copy of `a` with room for at least `min` elements (at least twice its length, and at least 4), the rest zero.
 * @internal
 */
export function grow<T extends GrowableArray>(a: T, min: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(min, a.length * 2, 4));
  out.set(a as never);
  return out;
}
