/** `mse`: the mean over rows of (a − y)² per sample, `[n,m]` → `[1,m]`. dA = (2/n)(a − y). */
import { tensor } from "../tensor/tensor.ts";
import type { OpDef } from "./op.ts";
import { perSampleLossShape } from "./lossShape.ts";

function scaledDiff(sign: 1 | -1): OpDef["backward"][number] {
  return ({ inputs: [A, Y], grad }) => {
    const [n, m] = A.shape;
    const a = A.data, y = Y.data, g = grad.data;
    const out = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = (sign * 2 * g[j] * (a[i * m + j] - y[i * m + j])) / n;
    return tensor(n, m, out);
  };
}

export const mse: OpDef = {
  name: "mse",
  kind: "loss",
  target: "real",
  operands: ["A", "Y"],
  columnwise: true,
  shape: (inputs) => perSampleLossShape("mse", inputs),
  forward: ([A, Y]) => {
    const [n, m] = A.shape;
    const a = A.data, y = Y.data;
    const out = new Float64Array(m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] += (a[i * m + j] - y[i * m + j]) ** 2;
    for (let j = 0; j < m; j++) out[j] /= n;
    return tensor(1, m, out);
  },
  backward: [scaledDiff(1), scaledDiff(-1)],
  explain: { forward: "{out} = (1/n)·Σ_rows ({0} − {1})²", backward: ["(2/n)·{g} ⊙ ({0} − {1})", "−(2/n)·{g} ⊙ ({0} − {1})"] },
};
