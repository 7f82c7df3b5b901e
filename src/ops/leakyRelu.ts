/** `leaky_relu` (`alpha`, default 0.01): z for z > 0, alpha·z otherwise. */
import { z } from "zod";
import { activation } from "./elementwise.ts";

const alphaOf = (attrs: Record<string, unknown>) => (attrs.alpha as number | undefined) ?? 0.01;

export const leakyRelu = activation({
  name: "leaky_relu",
  attrs: z.strictObject({ alpha: z.number().finite().optional() }),
  f: (v, attrs) => (v > 0 ? v : alphaOf(attrs) * v),
  df: (v, _y, attrs) => (v > 0 ? 1 : alphaOf(attrs)),
  forward: "{out} = max({0}, α·{0})",
  backward: "{g} ⊙ (1 if {0} > 0 else α)",
});
