/**
 * Two concentric circles, as scikit-learn's `make_circles`: the outer one of radius 1 (class 0), the
 * inner one of radius `factor` = 0.5 (class 1), Gaussian noise `noise` (default 0.1) on both coordinates.
 * A linear classifier cannot separate them; one hidden layer can.
 *
 * @example
 * const set = circles({ m: 300, seed: 2 });
 */
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { type GeneratorOptions, groupSizes, withDefaults } from "./generatorOptions.ts";
import { linspace } from "./linspace.ts";

/** Radius of the inner circle relative to the outer one. */
const FACTOR = 0.5;

export function circles(options: GeneratorOptions = {}): LabelledSet {
  const { m, seed, noise } = withDefaults(options, 0.1);
  const rng = createRng(seed);
  const X = new Float64Array(2 * m);
  const labels = new Float64Array(m);
  let col = 0;
  groupSizes(m, 2).forEach((n, j) => {
    const radius = j === 0 ? 1 : FACTOR;
    const angles = linspace(0, 2 * Math.PI, n, false);
    for (let i = 0; i < n; i++, col++) {
      X[col] = radius * Math.cos(angles[i]);
      X[m + col] = radius * Math.sin(angles[i]);
      labels[col] = j;
    }
  });
  for (let k = 0; k < X.length; k++) X[k] += noise * rng.normal();
  return { name: "circles", X: tensor(2, m, X), labels, classes: 2 };
}
