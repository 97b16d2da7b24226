/** The padded `input_ids` and `attention_mask` of a batch of token-id rows, row-major, `len` = the longest row. @internal */
export function batchInputs(
  ids: readonly number[][],
  padId: bigint,
): { inputIds: BigInt64Array; mask: BigInt64Array; len: number } {
  const len = ids.reduce((m, x) => Math.max(m, x.length), 1);
  const inputIds = new BigInt64Array(ids.length * len).fill(padId);
  const mask = new BigInt64Array(ids.length * len);
  ids.forEach((row, r) => {
    for (let j = 0; j < row.length; j++) {
      inputIds[r * len + j] = BigInt(row[j] ?? 0);
      mask[r * len + j] = 1n;
    }
  });
  return { inputIds, mask, len };
}

/** How {@link poolRow} reads one row of a model output. @internal */
export interface PoolShape {
  /** Padded sequence length of the batch. */
  len: number;
  dims: number;
  /** The output is already one vector per row (`[batch, dims]`). */
  pooled: boolean;
  pooling: 'mean' | 'cls';
  normalize: boolean;
}

/** Row `r` of a model output as one text vector: its own vector, the first token, or the masked mean of its `n` tokens; optionally L2-normalised. @internal */
export function poolRow(data: Float32Array, r: number, n: number, shape: PoolShape): Float32Array {
  const { len, dims } = shape;
  const v = new Float32Array(dims);
  if (shape.pooled) {
    v.set(data.subarray(r * dims, (r + 1) * dims));
  } else if (shape.pooling === 'cls') {
    v.set(data.subarray(r * len * dims, r * len * dims + dims));
  } else {
    for (let j = 0; j < n; j++) {
      const base = (r * len + j) * dims;
      for (let k = 0; k < dims; k++) v[k] = (v[k] ?? 0) + (data[base + k] ?? 0);
    }
    if (n > 0) for (let k = 0; k < dims; k++) v[k] = (v[k] ?? 0) / n;
  }
  if (shape.normalize) {
    let s = 0;
    for (let k = 0; k < dims; k++) s += (v[k] ?? 0) ** 2;
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let k = 0; k < dims; k++) v[k] = (v[k] ?? 0) * inv;
    }
  }
  return v;
}
