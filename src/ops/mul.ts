/** `mul`: A ⊙ B elementwise, B the same shape or a column `[n,1]` broadcast over the samples. */
import { binary } from "./elementwise.ts";

export const mul = binary({
  name: "mul",
  f: (a, b) => a * b,
  forward: (a, b, out, rows, cols, broadcast) => {
    if (!broadcast) for (let k = 0; k < a.length; k++) out[k] = a[k] * b[k];
    else for (let i = 0, k = 0; i < rows; i++) for (let j = 0, bi = b[i]; j < cols; j++, k++) out[k] = a[k] * bi;
  },
  backwardA: (g, _a, b, out, rows, cols, broadcast) => {
    if (!broadcast) for (let k = 0; k < g.length; k++) out[k] = g[k] * b[k];
    else for (let i = 0, k = 0; i < rows; i++) for (let j = 0, bi = b[i]; j < cols; j++, k++) out[k] = g[k] * bi;
  },
  backwardB: (g, a, _b, out, rows, cols, broadcast) => {
    if (!broadcast) for (let k = 0; k < g.length; k++) out[k] = g[k] * a[k];
    else for (let i = 0, k = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++, k++) s += g[k] * a[k];
      out[i] = s;
    }
  },
  explain: { forward: "{out} = {0} ⊙ {1}", backward: ["{g} ⊙ {1}", "{sum1}({g} ⊙ {0})"] },
});
