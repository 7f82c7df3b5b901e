/** `identity`: the output layer of a regression. */
import { activation } from "./elementwise.ts";

export const identity = activation({
  name: "identity",
  f: (z) => z,
  df: () => 1,
  forward: "{out} = {0}",
  backward: "{g}",
});
