/**
 * The course's planar "flower" (Deep Learning Specialization, course 1 week 3, `load_planar_dataset`):
 * two classes of m/2 points on the petals of a rose curve r = 4·sin(4t), with noise 0.2 on the angle and
 * on the radius. The recipe is the course's; the random numbers come from gradstream's generator, not
 * numpy's, so the points differ from the course's (its exact 400 points are in data/planar_flower.json).
 *
 * @example
 * const set = planarFlower({ m: 400, seed: 1 }); // X [2, 400], labels 0 for the first 200, 1 after
 */
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { type GeneratorOptions, groupSizes, withDefaults } from "./generatorOptions.ts";
import { linspace } from "./linspace.ts";

export function planarFlower(options: GeneratorOptions = {}): LabelledSet {
  const { m, seed, noise } = withDefaults(options, 0.2);
  const rng = createRng(seed);
  const petals = 4; // the course's `a`: the maximum ray of the flower
  const X = new Float64Array(2 * m);
  const labels = new Float64Array(m);
  let col = 0;
  groupSizes(m, 2).forEach((n, j) => {
    // As the course: all the angle noise for a class, then all the radius noise.
    const t = linspace(j * 3.12, (j + 1) * 3.12, n).map((v) => v + noise * rng.normal());
    const r = t.map((v) => petals * Math.sin(4 * v) + noise * rng.normal());
    for (let i = 0; i < n; i++, col++) {
      X[col] = r[i] * Math.sin(t[i]);
      X[m + col] = r[i] * Math.cos(t[i]);
      labels[col] = j;
    }
  });
  return { name: "flower", X: tensor(2, m, X), labels, classes: 2 };
}
