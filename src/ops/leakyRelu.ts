/** `leaky_relu` (`alpha`, default 0.01): z for z > 0, alpha·z otherwise. */
import { z } from "zod";
import { activation } from "./elementwise.ts";

const alphaOf = (attrs: Record<string, unknown>) => (attrs.alpha as number | undefined) ?? 0.01;

export const leakyRelu = activation({
  name: "leaky_relu",
  attrs: z.strictObject({ alpha: z.number().finite().optional() }),
  f: (v, attrs) => (v > 0 ? v : alphaOf(attrs) * v),
  forward: (x, y, attrs) => {
    const alpha = alphaOf(attrs);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
  },
  backward: (g, x, _y, out, attrs) => {
    const alpha = alphaOf(attrs);
    for (let i = 0; i < g.length; i++) out[i] = g[i] * (x[i] > 0 ? 1 : alpha);
  },
  equation: "{out} = max({0}, α·{0})",
  derivative: "{g} ⊙ (1 if {0} > 0 else α)",
});
