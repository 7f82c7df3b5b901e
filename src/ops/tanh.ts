/** `tanh`: tanh' = 1 − tanh². */
import { activation } from "./elementwise.ts";

export const tanh = activation({
  name: "tanh",
  f: Math.tanh,
  forward: (z, y) => {
    for (let i = 0; i < z.length; i++) y[i] = Math.tanh(z[i]);
  },
  backward: (g, _z, y, out) => {
    for (let i = 0; i < g.length; i++) out[i] = g[i] * (1 - y[i] * y[i]);
  },
  equation: "{out} = tanh({0})",
  derivative: "{g} ⊙ (1 − {out}²)",
});
