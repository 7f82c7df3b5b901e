/** `relu`: max(0, z); the derivative at 0 is 0, as the course's `relu_backward` has it. */
import { activation } from "./elementwise.ts";

export const relu = activation({
  name: "relu",
  f: (z) => (z > 0 ? z : 0),
  forward: (z, y) => {
    for (let i = 0; i < z.length; i++) y[i] = z[i] > 0 ? z[i] : 0;
  },
  // g·1 and g·0 rather than g and 0: the same numbers as the derivative times g, −0 and NaN included.
  // The 1 or 0 is the comparison turned into a number, which compiles without a branch to mispredict.
  backward: (g, z, _y, out) => {
    for (let i = 0; i < g.length; i++) out[i] = g[i] * +(z[i] > 0);
  },
  equation: "{out} = max(0, {0})",
  derivative: "{g} ⊙ 1[{0} > 0]",
});
