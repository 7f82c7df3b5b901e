/**
 * `softmax_cross_entropy`: −Σ_rows y·log softmax(z) per sample, fused through log-sum-exp so it is finite
 * for any logits: L = lse(z)·Σy − Σ y·z. dZ = softmax(z)·Σy − y (= softmax − y for one-hot y).
 */
import { output } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";
import { softmaxInto } from "./softmax.ts";

/** Each column's log-sum-exp, in a buffer kept between calls (read before the next call, never kept). */
let lseScratch = new Float64Array(0);
function columnLse(z: Float64Array, n: number, m: number): Float64Array {
  if (lseScratch.length < m) lseScratch = new Float64Array(m);
  softmaxInto(z, n, m, undefined, lseScratch);
  return lseScratch;
}

export const softmaxCrossEntropy: OpDef = {
  name: "softmax_cross_entropy",
  kind: "loss",
  target: "onehot",
  operands: ["Z", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("softmax_cross_entropy", inputs),
  forward: ([Z, Y], _attrs, into) => {
    const [n, m] = Z.shape;
    const z = Z.data, y = Y.data;
    const lse = columnLse(z, n, m);
    const L = output(into, 1, m), out = L.data as Float64Array;
    for (let j = 0; j < m; j++) {
      let l = 0;
      for (let i = 0; i < n; i++) l -= y[i * m + j] * (z[i * m + j] - lse[j]);
      out[j] = l;
    }
    return L;
  },
  backward: [
    ({ inputs: [Z, Y], grad }, into) => {
      const [n, m] = Z.shape;
      const dZ = output(into, n, m), out = dZ.data as Float64Array;
      softmaxInto(Z.data, n, m, out, undefined); // softmax first, then turned into dZ in place
      const y = Y.data, g = grad.data;
      for (let j = 0; j < m; j++) {
        let ysum = 0;
        for (let i = 0; i < n; i++) ysum += y[i * m + j];
        for (let i = 0; i < n; i++) out[i * m + j] = g[j] * (out[i * m + j] * ysum - y[i * m + j]);
      }
      return dZ;
    },
    ({ inputs: [Z], grad }, into) => {
      const [n, m] = Z.shape;
      const z = Z.data, g = grad.data;
      const lse = columnLse(z, n, m);
      const dY = output(into, n, m), out = dY.data as Float64Array;
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = -g[j] * (z[i * m + j] - lse[j]);
      return dY;
    },
  ],
  explain: {
    forward: "{out} = −Σ_rows {1} ⊙ log softmax({0})",
    backward: ["{g} ⊙ (softmax({0}) − {1})", "−{g} ⊙ log softmax({0})"],
  },
};
