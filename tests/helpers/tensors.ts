/**
 * Tensors from nested rows, for writing test values by hand.
 *
 * @example
 * const X = fromRows([[1, 2, 3], [4, 5, 6]]); // shape [2, 3]
 */
import { type Tensor, fromNested } from "../../src/tensor/tensor.ts";

export function fromRows(rows: readonly (readonly number[])[]): Tensor {
  const t = fromNested(rows);
  if (typeof t === "string") throw new Error(`fromRows: ${t}`);
  return t;
}
