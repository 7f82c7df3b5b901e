/**
 * `bce_logits`: bce of σ(z), fused so it is finite for any z: L = max(z,0) − z·y + log(1 + e^−|z|).
 * dZ = σ(z) − y, the famous simplification of the sigmoid and the cross-entropy derivatives.
 */
import { output } from "../tensor/tensor.ts";
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
  forward: ([Z, Y], _attrs, into) => {
    const z = Z.data, y = Y.data;
    const L = output(into, 1, z.length), out = L.data as Float64Array;
    for (let j = 0; j < z.length; j++) out[j] = Math.max(z[j], 0) - z[j] * y[j] + Math.log1p(Math.exp(-Math.abs(z[j])));
    return L;
  },
  backward: [
    ({ inputs: [Z, Y], grad }, into) => {
      const z = Z.data, y = Y.data, g = grad.data;
      const dZ = output(into, 1, z.length), out = dZ.data as Float64Array;
      for (let j = 0; j < z.length; j++) out[j] = g[j] * (stableSigmoid(z[j]) - y[j]);
      return dZ;
    },
    ({ inputs: [Z], grad }, into) => {
      const z = Z.data, g = grad.data;
      const dY = output(into, 1, z.length), out = dY.data as Float64Array;
      for (let j = 0; j < z.length; j++) out[j] = -g[j] * z[j];
      return dY;
    },
  ],
  explain: {
    forward: "{out} = max({0},0) − {0}·{1} + log(1 + e^−|{0}|)",
    backward: ["{g} ⊙ (σ({0}) − {1})", "−{g} ⊙ {0}"],
  },
};
