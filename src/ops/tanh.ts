/** `tanh`: tanh' = 1 − tanh². */
import { activation } from "./elementwise.ts";

export const tanh = activation({
  name: "tanh",
  f: Math.tanh,
  df: (_z, t) => 1 - t * t,
  forward: "{out} = tanh({0})",
  backward: "{g} ⊙ (1 − {out}²)",
});
