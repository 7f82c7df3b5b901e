/**
 * Interleaved spirals (CS231n's spiral data): `classes` arms (default 2), each of m/classes points whose
 * radius grows from 0 to 1 while the angle turns 4 radians, with Gaussian noise `noise` (default 0.2) on
 * the angle. With a graph whose Y is `[K, m]` (softmax) use `classes: K`.
 *
 * @example
 * const set = spiral({ m: 300, seed: 1, classes: 3 }); // labels 0, 1, 2
 */
import { GradstreamError } from "../errors.ts";
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { type GeneratorOptions, groupSizes, withDefaults } from "./generatorOptions.ts";
import { linspace } from "./linspace.ts";

export function spiral(options: GeneratorOptions = {}): LabelledSet {
  const { m, seed, noise, classes } = withDefaults(options, 0.2);
  if (!Number.isInteger(classes) || classes < 2 || classes > m) throw new GradstreamError("USAGE", `spiral needs from 2 to m classes, got ${classes}`);
  const rng = createRng(seed);
  const X = new Float64Array(2 * m);
  const labels = new Float64Array(m);
  let col = 0;
  groupSizes(m, classes).forEach((n, j) => {
    const radius = linspace(0, 1, n);
    const turn = linspace(j * 4, (j + 1) * 4, n);
    for (let i = 0; i < n; i++, col++) {
      const t = turn[i] + noise * rng.normal();
      X[col] = radius[i] * Math.sin(t);
      X[m + col] = radius[i] * Math.cos(t);
      labels[col] = j;
    }
  });
  return { name: "spiral", X: tensor(2, m, X), labels, classes };
}
