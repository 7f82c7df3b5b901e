/** `cross_entropy`: −Σ_rows y·log a per sample, for A already a distribution; a is clamped at ε like `bce`. */
import { output } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";
import { BCE_EPSILON } from "./bce.ts";

const floor = (a: number) => Math.max(a, BCE_EPSILON);

export const crossEntropy: OpDef = {
  name: "cross_entropy",
  kind: "loss",
  target: "onehot",
  operands: ["A", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("cross_entropy", inputs),
  forward: ([A, Y], _attrs, into) => {
    const [n, m] = A.shape;
    const a = A.data, y = Y.data;
    const L = output(into, 1, m), out = (L.data as Float64Array).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] -= y[i * m + j] * Math.log(floor(a[i * m + j]));
    return L;
  },
  backward: [
    ({ inputs: [A, Y], grad }, into) => {
      const [n, m] = A.shape;
      const a = A.data, y = Y.data, g = grad.data;
      const dA = output(into, n, m), out = dA.data as Float64Array;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = (-g[j] * y[i * m + j]) / floor(a[i * m + j]);
      return dA;
    },
    ({ inputs: [A], grad }, into) => {
      const [n, m] = A.shape;
      const a = A.data, g = grad.data;
      const dY = output(into, n, m), out = dY.data as Float64Array;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = -g[j] * Math.log(floor(a[i * m + j]));
      return dY;
    },
  ],
  explain: { forward: "{out} = −Σ_rows {1} ⊙ log {0}", backward: ["−{g} ⊙ {1} / {0}", "−{g} ⊙ log {0}"] },
};
