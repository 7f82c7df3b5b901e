/** `matmul`: A `[a,k]` · B `[k,b]` → `[a,b]`. dA = G·Bᵀ, dB = Aᵀ·G. */
import { matmul as mm, matmulNT, matmulTN } from "../tensor/kernels.ts";
import type { OpDef } from "./op.ts";
import { sameDim, showShape } from "./op.ts";

export const matmul: OpDef = {
  name: "matmul",
  kind: "linear",
  operands: ["A", "B"],
  columnwise: true, // each output column is A times the same column of B (when B carries the samples)
  shape: ([a, b]) => (sameDim(a[1], b[0]) ? [a[0], b[1]] : `matmul ${showShape(a)}·${showShape(b)}: inner sizes ${a[1]} and ${b[0]} differ`),
  forward: ([A, B], _attrs, out) => mm(A, B, out),
  backward: [
    ({ inputs: [, B], grad }, out) => matmulNT(grad, B, out),
    ({ inputs: [A], grad }, out) => matmulTN(A, grad, out),
  ],
  explain: { forward: "{out} = {0}·{1}", backward: ["{g}·{1}ᵀ", "{0}ᵀ·{g}"] },
};
