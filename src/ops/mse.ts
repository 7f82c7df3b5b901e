/** `mse`: the mean over rows of (a − y)² per sample, `[n,m]` → `[1,m]`. dA = (2/n)(a − y). */
import { output } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";

function scaledDiff(sign: 1 | -1): OpDef["backward"][number] {
  return ({ inputs: [A, Y], grad }, into) => {
    const [n, m] = A.shape;
    const a = A.data, y = Y.data, g = grad.data;
    const d = output(into, n, m), out = d.data as Float64Array;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = (sign * 2 * g[j] * (a[i * m + j] - y[i * m + j])) / n;
    return d;
  };
}

export const mse: OpDef = {
  name: "mse",
  kind: "loss",
  target: "real",
  operands: ["A", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("mse", inputs),
  forward: ([A, Y], _attrs, into) => {
    const [n, m] = A.shape;
    const a = A.data, y = Y.data;
    const L = output(into, 1, m), out = (L.data as Float64Array).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] += (a[i * m + j] - y[i * m + j]) ** 2;
    for (let j = 0; j < m; j++) out[j] /= n;
    return L;
  },
  backward: [scaledDiff(1), scaledDiff(-1)],
  explain: { forward: "{out} = (1/n)·Σ_rows ({0} − {1})²", backward: ["(2/n)·{g} ⊙ ({0} − {1})", "−(2/n)·{g} ⊙ ({0} − {1})"] },
};
