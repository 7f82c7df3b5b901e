/** `add`: A + B, B the same shape or a column `[n,1]` broadcast over the samples. */
import { binary } from "./elementwise.ts";

export const add = binary("add", (a, b) => a + b, () => 1, () => 1, {
  forward: "{out} = {0} + {1}",
  backward: ["{g}", "{sum1}{g}"],
});
