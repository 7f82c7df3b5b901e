/** `mul`: A ⊙ B elementwise, B the same shape or a column `[n,1]` broadcast over the samples. */
import { binary } from "./elementwise.ts";

export const mul = binary("mul", (a, b) => a * b, (_a, b) => b, (a) => a, {
  forward: "{out} = {0} ⊙ {1}",
  backward: ["{g} ⊙ {1}", "{sum1}({g} ⊙ {0})"],
});
