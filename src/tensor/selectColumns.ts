/**
 * The listed columns (samples) of a tensor, in the listed order, as a new tensor: a mini-batch, one
 * sample alone, or a permuted batch.
 *
 * @example
 * selectColumns(fromRows([[1, 2, 3], [4, 5, 6]]), [2, 0]) // [[3, 1], [6, 4]]
 */
import { type Tensor, tensor } from "./tensor.ts";

export function selectColumns(t: Tensor, columns: ArrayLike<number>): Tensor {
  const [rows, cols] = t.shape;
  const n = columns.length;
  const src = t.data;
  const out = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) {
    const from = i * cols, to = i * n;
    for (let j = 0; j < n; j++) out[to + j] = src[from + columns[j]];
  }
  return tensor(rows, n, out);
}
