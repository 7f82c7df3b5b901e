/**
 * `center_batch`: X − (1/m)·Σ_samples X, each row minus its mean over the batch — the centring step of
 * batch normalisation. It couples samples: every output column depends on every input column, so it is not
 * column-wise, and a graph that uses it before its cost has no per-sample gradients (`gradstream check`
 * says so and names the node). The map is I − (1/m)·11ᵀ on each row, which is symmetric, so its backward
 * is the same centring applied to the gradient.
 *
 * @example
 * centerBatch.forward([fromRows([[1, 3], [0, 4]])], {}) // [[-1, 1], [-2, 2]]
 */
import { type Tensor, output } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";

/** Each row minus its mean over the columns. */
function centerRows(X: Tensor, into?: Tensor): Tensor {
  const [n, m] = X.shape;
  const x = X.data;
  const C = output(into, n, m), out = C.data as Float64Array;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * m, end = j + m; j < end; j++) s += x[j];
    const mu = s / m;
    for (let j = i * m, end = j + m; j < end; j++) out[j] = x[j] - mu;
  }
  return C;
}

export const centerBatch: OpDef = {
  name: "center_batch",
  kind: "linear", // a linear map of its operand (not elementwise: it mixes columns)
  operands: ["X"],
  columnwise: false,
  shape: ([x]) => x,
  forward: ([X], _attrs, out) => centerRows(X, out),
  backward: [({ grad }, out) => centerRows(grad, out)],
  explain: { forward: "{out} = {0} − (1/m)·Σ_samples {0}", backward: ["{g} − (1/m)·Σ_samples {g}"] },
};
