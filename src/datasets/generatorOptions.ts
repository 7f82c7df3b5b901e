/**
 * The options every dataset generator takes, and the checks on them: the same `m` and `seed` always give
 * the same points.
 *
 * @example
 * const { m, seed, noise } = withDefaults({ m: 100 }, 0.2); // seed 1, noise 0.2
 */
import { GradstreamError } from "../errors.ts";
import { MAX_ELEMENTS } from "../tensor/tensor.ts";

export interface GeneratorOptions {
  /** Number of samples. Default 400. */
  m?: number;
  /** Seed of the generator (src/data/random.ts). Default 1. */
  seed?: number;
  /** Standard deviation of the Gaussian noise added; each generator has its own default. */
  noise?: number;
  /** Number of classes, for the generators that have a choice (spiral). */
  classes?: number;
}

export function withDefaults(options: GeneratorOptions, defaultNoise: number): { m: number; seed: number; noise: number; classes: number } {
  const m = options.m ?? 400;
  const noise = options.noise ?? defaultNoise;
  if (!Number.isInteger(m) || m < 2 || 2 * m > MAX_ELEMENTS) throw new GradstreamError("USAGE", `a generated dataset needs an integer m from 2 to ${MAX_ELEMENTS / 2}, got ${m}`);
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new GradstreamError("USAGE", `noise must be a finite number ≥ 0, got ${noise}`);
  return { m, seed: options.seed ?? 1, noise, classes: options.classes ?? 2 };
}

/** Sizes of `classes` groups that add up to m, as even as possible (the first groups get the extras). */
export function groupSizes(m: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, j) => Math.floor(m / classes) + (j < m % classes ? 1 : 0));
}
