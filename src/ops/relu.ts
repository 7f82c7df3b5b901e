/** `relu`: max(0, z); the derivative at 0 is 0, as the course's `relu_backward` has it. */
import { activation } from "./elementwise.ts";

export const relu = activation({
  name: "relu",
  f: (z) => (z > 0 ? z : 0),
  df: (z) => (z > 0 ? 1 : 0),
  forward: "{out} = max(0, {0})",
  backward: "{g} ⊙ 1[{0} > 0]",
});
