/**
 * Two interleaving half circles, as scikit-learn's `make_moons`: the upper one (class 0) centred at the
 * origin, the lower one (class 1) shifted to (1, 0.5), Gaussian noise `noise` (default 0.1) on both
 * coordinates. Not linearly separable: a hidden layer is needed.
 *
 * @example
 * const set = moons({ m: 200, seed: 3, noise: 0.2 });
 */
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { type GeneratorOptions, groupSizes, withDefaults } from "./generatorOptions.ts";
import { linspace } from "./linspace.ts";

export function moons(options: GeneratorOptions = {}): LabelledSet {
  const { m, seed, noise } = withDefaults(options, 0.1);
  const rng = createRng(seed);
  const [nOuter, nInner] = groupSizes(m, 2);
  const X = new Float64Array(2 * m);
  const labels = new Float64Array(m);
  const outer = linspace(0, Math.PI, nOuter);
  const inner = linspace(0, Math.PI, nInner);
  for (let i = 0; i < nOuter; i++) {
    X[i] = Math.cos(outer[i]);
    X[m + i] = Math.sin(outer[i]);
  }
  for (let i = 0; i < nInner; i++) {
    const col = nOuter + i;
    X[col] = 1 - Math.cos(inner[i]);
    X[m + col] = 1 - Math.sin(inner[i]) - 0.5;
    labels[col] = 1;
  }
  for (let k = 0; k < X.length; k++) X[k] += noise * rng.normal();
  return { name: "moons", X: tensor(2, m, X), labels, classes: 2 };
}
