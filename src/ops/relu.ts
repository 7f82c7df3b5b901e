/** `relu`: max(0, z); the derivative at 0 is 0, as the course's `relu_backward` has it. */
import { activation } from "./elementwise.ts";

export const relu = activation({
  name: "relu",
  f: (z) => (z > 0 ? z : 0),
  // z·1 or z·0, then + 0 (which turns −0 into 0): no branch on the sign, which a batch of random signs
  // would mispredict half the time (2× slower on large batches). z·0 is NaN only for NaN and −∞, whose
  // relu is 0 as in max(0, z) written as z > 0 ? z : 0: that rare case is the one branch left.
  forward: (z, y) => {
    for (let i = 0; i < z.length; i++) {
      const v = z[i], r = v * +(v > 0) + 0;
      y[i] = r === r ? r : 0;
    }
  },
  // g·1 and g·0 rather than g and 0: the same numbers as the derivative times g, −0 and NaN included.
  // The 1 or 0 is the comparison turned into a number, which compiles without a branch to mispredict.
  backward: (g, z, _y, out) => {
    for (let i = 0; i < g.length; i++) out[i] = g[i] * +(z[i] > 0);
  },
  equation: "{out} = max(0, {0})",
  derivative: "{g} ⊙ 1[{0} > 0]",
});
