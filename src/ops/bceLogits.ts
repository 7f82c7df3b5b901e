/**
 * `bce_logits`: bce of σ(z), fused so it is finite for any z: L = max(z,0) − z·y + log(1 + e^−|z|).
 * dZ = σ(z) − y, the famous simplification of the sigmoid and the cross-entropy derivatives.
 */
import { tensor } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";
import { stableSigmoid } from "./sigmoid.ts";

export const bceLogits: OpDef = {
  name: "bce_logits",
  kind: "loss",
  target: "binary",
  operands: ["Z", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("bce_logits", inputs, 1),
  forward: ([Z, Y]) => {
    const z = Z.data, y = Y.data;
    const out = new Float64Array(z.length);
    for (let j = 0; j < z.length; j++) out[j] = Math.max(z[j], 0) - z[j] * y[j] + Math.log1p(Math.exp(-Math.abs(z[j])));
    return tensor(1, z.length, out);
  },
  backward: [
    ({ inputs: [Z, Y], grad }) => {
      const z = Z.data, y = Y.data, g = grad.data;
      const out = new Float64Array(z.length);
      for (let j = 0; j < z.length; j++) out[j] = g[j] * (stableSigmoid(z[j]) - y[j]);
      return tensor(1, z.length, out);
    },
    ({ inputs: [Z], grad }) => {
      const z = Z.data, g = grad.data;
      const out = new Float64Array(z.length);
      for (let j = 0; j < z.length; j++) out[j] = -g[j] * z[j];
      return tensor(1, z.length, out);
    },
  ],
  explain: {
    forward: "{out} = max({0},0) − {0}·{1} + log(1 + e^−|{0}|)",
    backward: ["{g} ⊙ (σ({0}) − {1})", "−{g} ⊙ {0}"],
  },
};
