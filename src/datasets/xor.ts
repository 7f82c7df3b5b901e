/**
 * The XOR problem: points uniform in the square [−1, 1]², class 1 where exactly one coordinate is
 * positive (the second and fourth quadrants), class 0 elsewhere. The classic task no single neuron can
 * learn. `noise` (default 0) jitters the points after they are labelled, blurring the quadrant borders.
 *
 * @example
 * const set = xor({ m: 200, seed: 1 }); // labels[j] === (X0[j] > 0) !== (X1[j] > 0) ? 1 : 0
 */
import { tensor } from "../tensor/tensor.ts";
import { createRng } from "../data/random.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { type GeneratorOptions, withDefaults } from "./generatorOptions.ts";

export function xor(options: GeneratorOptions = {}): LabelledSet {
  const { m, seed, noise } = withDefaults(options, 0);
  const rng = createRng(seed);
  const X = new Float64Array(2 * m);
  const labels = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
    labels[j] = a > 0 !== b > 0 ? 1 : 0;
    X[j] = a;
    X[m + j] = b;
  }
  if (noise > 0) for (let k = 0; k < X.length; k++) X[k] += noise * rng.normal();
  return { name: "xor", X: tensor(2, m, X), labels, classes: 2 };
}
