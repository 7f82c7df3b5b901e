/** `identity`: the output layer of a regression. */
import { activation } from "./elementwise.ts";

export const identity = activation({
  name: "identity",
  f: (z) => z,
  forward: (z, y) => y.set(z),
  backward: (g, _z, _y, out) => out.set(g), // g·1 = g exactly
  equation: "{out} = {0}",
  derivative: "{g}",
});
