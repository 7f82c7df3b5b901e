/**
 * `softmax_cross_entropy`: −Σ_rows y·log softmax(z) per sample, fused through log-sum-exp so it is finite
 * for any logits: L = lse(z)·Σy − Σ y·z. dZ = softmax(z)·Σy − y (= softmax − y for one-hot y).
 */
import { tensor } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";
import { softmaxColumns } from "./softmax.ts";

export const softmaxCrossEntropy: OpDef = {
  name: "softmax_cross_entropy",
  kind: "loss",
  target: "onehot",
  operands: ["Z", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("softmax_cross_entropy", inputs),
  forward: ([Z, Y]) => {
    const [n, m] = Z.shape;
    const { lse } = softmaxColumns(Z);
    const z = Z.data, y = Y.data;
    const out = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      let l = 0;
      for (let i = 0; i < n; i++) l -= y[i * m + j] * (z[i * m + j] - lse[j]);
      out[j] = l;
    }
    return tensor(1, m, out);
  },
  backward: [
    ({ inputs: [Z, Y], grad }) => {
      const [n, m] = Z.shape;
      const { S } = softmaxColumns(Z);
      const s = S.data, y = Y.data, g = grad.data;
      const out = new Float64Array(n * m);
      for (let j = 0; j < m; j++) {
        let ysum = 0;
        for (let i = 0; i < n; i++) ysum += y[i * m + j];
        for (let i = 0; i < n; i++) out[i * m + j] = g[j] * (s[i * m + j] * ysum - y[i * m + j]);
      }
      return tensor(n, m, out);
    },
    ({ inputs: [Z], grad }) => {
      const [n, m] = Z.shape;
      const { lse } = softmaxColumns(Z);
      const z = Z.data, g = grad.data;
      const out = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = -g[j] * (z[i * m + j] - lse[j]);
      return tensor(n, m, out);
    },
  ],
  explain: {
    forward: "{out} = −Σ_rows {1} ⊙ log softmax({0})",
    backward: ["{g} ⊙ (softmax({0}) − {1})", "−{g} ⊙ log softmax({0})"],
  },
};
