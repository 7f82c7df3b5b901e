/** `sigmoid`: σ(z) = 1/(1+e^−z), evaluated without overflow for large |z|; σ' = σ(1−σ). */
import { activation } from "./elementwise.ts";

export function stableSigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export const sigmoid = activation({
  name: "sigmoid",
  f: stableSigmoid,
  forward: (z, y) => {
    for (let i = 0; i < z.length; i++) y[i] = stableSigmoid(z[i]);
  },
  backward: (g, _z, y, out) => {
    for (let i = 0; i < g.length; i++) out[i] = g[i] * (y[i] * (1 - y[i]));
  },
  equation: "{out} = σ({0})",
  derivative: "{g} ⊙ {out} ⊙ (1 − {out})",
});
