/**
 * `mean` over samples (columns): `[n,m]` → `[n,1]`, (1/m)·Σ_samples. The one place the 1/m of the cost
 * J = (1/m)·Σᵢ Lᵢ enters the graph: its backward hands every sample the gradient (1/m)·G.
 */
import { broadcastColumn, sumColumns } from "../tensor/kernels.ts";
import { scale } from "../tensor/kernels.ts";
import type { OpDef } from "./op.ts";

export const mean: OpDef = {
  name: "mean",
  kind: "reduction",
  operands: ["X"],
  columnwise: false,
  shape: ([x]) => [x[0], 1],
  forward: ([X], _attrs, out) => {
    const S = sumColumns(X, out);
    return scale(S, 1 / X.shape[1], S); // (1/m)·s, in place: each entry is read before it is written
  },
  backward: [({ inputs: [X], grad }, out) => broadcastColumn(grad, X.shape[1], 1 / X.shape[1], out)],
  explain: { forward: "{out} = (1/m)·Σ_samples {0}", backward: ["{g}·1ᵀ"], mPower: [-1] },
};
