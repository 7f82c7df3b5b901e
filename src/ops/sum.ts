/** `sum` over samples (columns): `[n,m]` → `[n,1]`. A cost J = Σᵢ Lᵢ has gradients m × those of the mean. */
import { broadcastColumn, sumColumns } from "../tensor/kernels.ts";
import type { OpDef } from "./op.ts";

export const sum: OpDef = {
  name: "sum",
  kind: "reduction",
  operands: ["X"],
  columnwise: false,
  shape: ([x]) => [x[0], 1],
  forward: ([X], _attrs, out) => sumColumns(X, out),
  backward: [({ inputs: [X], grad }, out) => broadcastColumn(grad, X.shape[1], 1, out)],
  explain: { forward: "{out} = Σ_samples {0}", backward: ["{g}·1ᵀ"] },
};
