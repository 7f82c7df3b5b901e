/**
 * `bce`: −(y·log a + (1−y)·log(1−a)) per sample, A and Y `[1,m]`. log(0) is avoided by clamping a to
 * [ε, 1−ε] with ε = 1e-15 (a sigmoid that saturates in float64 would otherwise give ∞ and NaN gradients);
 * the gradient uses the clamped a, so it stays finite and points the right way. `bce_logits` needs no clamp.
 */
import { output } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";

export const BCE_EPSILON = 1e-15;
const clamp = (a: number) => Math.min(Math.max(a, BCE_EPSILON), 1 - BCE_EPSILON);

export const bce: OpDef = {
  name: "bce",
  kind: "loss",
  target: "binary",
  operands: ["A", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("bce", inputs, 1),
  forward: ([A, Y], _attrs, into) => {
    const a = A.data, y = Y.data;
    const L = output(into, 1, a.length), out = L.data as Float64Array;
    for (let j = 0; j < a.length; j++) {
      const p = clamp(a[j]);
      out[j] = -(y[j] * Math.log(p) + (1 - y[j]) * Math.log(1 - p));
    }
    return L;
  },
  backward: [
    ({ inputs: [A, Y], grad }, into) => {
      const a = A.data, y = Y.data, g = grad.data;
      const dA = output(into, 1, a.length), out = dA.data as Float64Array;
      for (let j = 0; j < a.length; j++) {
        const p = clamp(a[j]);
        out[j] = (g[j] * (p - y[j])) / (p * (1 - p));
      }
      return dA;
    },
    ({ inputs: [A], grad }, into) => {
      const a = A.data, g = grad.data;
      const dY = output(into, 1, a.length), out = dY.data as Float64Array;
      for (let j = 0; j < a.length; j++) {
        const p = clamp(a[j]);
        out[j] = g[j] * (Math.log(1 - p) - Math.log(p));
      }
      return dY;
    },
  ],
  explain: {
    forward: "{out} = −({1}·log {0} + (1−{1})·log(1−{0}))",
    backward: ["{g} ⊙ ({0} − {1}) / ({0}(1−{0}))", "{g} ⊙ log((1−{0})/{0})"],
  },
};
