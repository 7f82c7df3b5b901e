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
  df: (_z, s) => s * (1 - s),
  forward: "{out} = σ({0})",
  backward: "{g} ⊙ {out} ⊙ (1 − {out})",
});
