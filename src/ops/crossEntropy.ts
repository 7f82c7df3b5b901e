/** `cross_entropy`: −Σ_rows y·log a per sample, for A already a distribution; a is clamped at ε like `bce`. */
import { tensor } from "../tensor/tensor.ts";
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
  forward: ([A, Y]) => {
    const [n, m] = A.shape;
    const a = A.data, y = Y.data;
    const out = new Float64Array(m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] -= y[i * m + j] * Math.log(floor(a[i * m + j]));
    return tensor(1, m, out);
  },
  backward: [
    ({ inputs: [A, Y], grad }) => {
      const [n, m] = A.shape;
      const a = A.data, y = Y.data, g = grad.data;
      const out = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = (-g[j] * y[i * m + j]) / floor(a[i * m + j]);
      return tensor(n, m, out);
    },
    ({ inputs: [A], grad }) => {
      const [n, m] = A.shape;
      const a = A.data, g = grad.data;
      const out = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = -g[j] * Math.log(floor(a[i * m + j]));
      return tensor(n, m, out);
    },
  ],
  explain: { forward: "{out} = −Σ_rows {1} ⊙ log {0}", backward: ["−{g} ⊙ {1} / {0}", "−{g} ⊙ log {0}"] },
};
