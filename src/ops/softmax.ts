/** `softmax` per column (sample), shifted by the column maximum so exp never overflows. */
import { type Tensor, tensor } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";

/** Softmax of each column; also returns each column's log-sum-exp (used by the fused loss). */
export function softmaxColumns(Z: Tensor): { S: Tensor; lse: Float64Array } {
  const [n, m] = Z.shape;
  const z = Z.data;
  const s = new Float64Array(n * m);
  const lse = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, z[i * m + j]);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(z[i * m + j] - max);
      s[i * m + j] = e;
      sum += e;
    }
    for (let i = 0; i < n; i++) s[i * m + j] /= sum;
    lse[j] = max + Math.log(sum);
  }
  return { S: tensor(n, m, s), lse };
}

export const softmax: OpDef = {
  name: "softmax",
  kind: "activation",
  operands: ["Z"],
  columnwise: true,
  shape: ([z]) => z,
  forward: ([Z]) => softmaxColumns(Z).S,
  backward: [
    // dZ = S ⊙ (G − Σ_rows(G ⊙ S)), column by column.
    ({ output: S, grad: G }) => {
      const [n, m] = S.shape;
      const s = S.data, g = G.data;
      const out = new Float64Array(n * m);
      for (let j = 0; j < m; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += g[i * m + j] * s[i * m + j];
        for (let i = 0; i < n; i++) out[i * m + j] = s[i * m + j] * (g[i * m + j] - dot);
      }
      return tensor(n, m, out);
    },
  ],
  explain: { forward: "{out} = softmax({0}) per column", backward: ["{out} ⊙ ({g} − 1·Σ_rows({g} ⊙ {out}))"] },
};
