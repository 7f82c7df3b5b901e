/** `softmax` per column (sample), shifted by the column maximum so exp never overflows. */
import { output } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";

/**
 * Softmax of each column of the `[n,m]` z into `s` (when given) and each column's log-sum-exp into `lse`
 * (when given); the fused loss needs one or the other.
 */
export function softmaxInto(z: Float64Array, n: number, m: number, s: Float64Array | undefined, lse: Float64Array | undefined): void {
  for (let j = 0; j < m; j++) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, z[i * m + j]);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(z[i * m + j] - max);
      if (s) s[i * m + j] = e;
      sum += e;
    }
    if (s) for (let i = 0; i < n; i++) s[i * m + j] /= sum;
    if (lse) lse[j] = max + Math.log(sum);
  }
}

export const softmax: OpDef = {
  name: "softmax",
  kind: "activation",
  operands: ["Z"],
  columnwise: true,
  shape: ([z]) => z,
  forward: ([Z], _attrs, into) => {
    const [n, m] = Z.shape;
    const S = output(into, n, m);
    softmaxInto(Z.data, n, m, S.data as Float64Array, undefined);
    return S;
  },
  backward: [
    // dZ = S ⊙ (G − Σ_rows(G ⊙ S)), column by column.
    ({ output: S, grad: G }, into) => {
      const [n, m] = S.shape;
      const s = S.data, g = G.data;
      const dZ = output(into, n, m), out = dZ.data as Float64Array;
      for (let j = 0; j < m; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += g[i * m + j] * s[i * m + j];
        for (let i = 0; i < n; i++) out[i * m + j] = s[i * m + j] * (g[i * m + j] - dot);
      }
      return dZ;
    },
  ],
  explain: { forward: "{out} = softmax({0}) per column", backward: ["{out} ⊙ ({g} − 1·Σ_rows({g} ⊙ {out}))"] },
};
