/**
 * An optimizer by name, as the command line asks for one, with each optimizer's defaults for what is not
 * given.
 *
 * @example
 * createOptimizer("adam", { lr: 0.01 }).hyper // { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
 */
import type { Optimizer } from "./optimizer.ts";
import { sgd } from "./sgd.ts";
import { momentum } from "./momentum.ts";
import { adam } from "./adam.ts";

export const OPTIMIZER_NAMES = ["sgd", "momentum", "adam"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Learning rates used when none is given: the usual starting points for small networks. */
export const DEFAULT_LEARNING_RATE: Readonly<Record<OptimizerName, number>> = { sgd: 0.1, momentum: 0.1, adam: 0.01 };

export function createOptimizer(name: OptimizerName, options: { lr?: number; beta?: number; beta1?: number; beta2?: number; epsilon?: number } = {}): Optimizer {
  const lr = options.lr ?? DEFAULT_LEARNING_RATE[name];
  if (name === "sgd") return sgd({ lr });
  if (name === "momentum") return momentum({ lr, beta: options.beta });
  return adam({ lr, beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon });
}
