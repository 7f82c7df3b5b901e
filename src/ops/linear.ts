/**
 * `linear`: W `[n,k]` · X `[k,m]` + b `[n,1]` → `[n,m]`, the course's linear unit. Fused from matmul and a
 * broadcast add because it is the unit every layer is written with; its backward is theirs.
 */
import { matmul, matmulNT, matmulTN, sumColumns } from "../tensor/kernels.ts";
import type { OpDef } from "./op.ts";
import { sameDim, showShape } from "./op.ts";

export const linear: OpDef = {
  name: "linear",
  kind: "linear",
  operands: ["W", "X", "b"],
  columnwise: true,
  shape: ([w, x, b]) => {
    if (!sameDim(w[1], x[0])) return `linear ${showShape(w)}·${showShape(x)}: inner sizes ${w[1]} and ${x[0]} differ`;
    if (!sameDim(b[0], w[0]) || b[1] !== 1) return `linear: b is ${showShape(b)}, expected a column [${w[0]},1]`;
    return [w[0], x[1]];
  },
  forward: ([W, X, b], _attrs, out) => {
    const Z = matmul(W, X, out);
    const [n, m] = Z.shape;
    const z = Z.data as Float64Array, bias = b.data;
    for (let i = 0; i < n; i++) {
      const bi = bias[i];
      for (let j = i * m, end = j + m; j < end; j++) z[j] += bi;
    }
    return Z;
  },
  backward: [
    ({ inputs: [, X], grad }, out) => matmulNT(grad, X, out),
    ({ inputs: [W], grad }, out) => matmulTN(W, grad, out),
    ({ grad }, out) => sumColumns(grad, out),
  ],
  explain: { forward: "{out} = {0}·{1} + {2}", backward: ["{g}·{1}ᵀ", "{0}ᵀ·{g}", "Σ_samples {g}"] },
};
