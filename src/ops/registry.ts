/**
 * Every op gradstream knows, in one table a reader can scan, grouped by kind.
 *
 * @example
 * const op = getOp("linear"); // OpDef | undefined
 * op.forward([W, X, b], {})
 */
import type { OpDef } from "./op.ts";
import { matmul } from "./matmul.ts";
import { linear } from "./linear.ts";
import { add } from "./add.ts";
import { sub } from "./sub.ts";
import { mul } from "./mul.ts";
import { sigmoid } from "./sigmoid.ts";
import { relu } from "./relu.ts";
import { tanh } from "./tanh.ts";
import { identity } from "./identity.ts";
import { leakyRelu } from "./leakyRelu.ts";
import { softmax } from "./softmax.ts";
import { bce } from "./bce.ts";
import { bceLogits } from "./bceLogits.ts";
import { softmaxCrossEntropy } from "./softmaxCrossEntropy.ts";
import { crossEntropy } from "./crossEntropy.ts";
import { mse } from "./mse.ts";
import { mean } from "./mean.ts";
import { sum } from "./sum.ts";
import { weightedMean } from "./weightedMean.ts";
import { centerBatch } from "./centerBatch.ts";

const ops: readonly OpDef[] = [
  // linear algebra and elementwise arithmetic
  matmul, linear, add, sub, mul,
  // activations
  sigmoid, relu, tanh, identity, leakyRelu, softmax,
  // per-sample losses: [n,m] → [1,m]
  bce, bceLogits, softmaxCrossEntropy, crossEntropy, mse,
  // reductions over samples: [n,m] → [n,1] (weighted_mean: over the items its weights count)
  mean, sum, weightedMean,
  // batch couplings: [n,m] → [n,m], each column depending on every sample
  centerBatch,
];

const registry = new Map<string, OpDef>(ops.map((op) => [op.name, op]));

export function getOp(name: string): OpDef | undefined {
  return registry.get(name);
}

export function opNames(): string[] {
  return [...registry.keys()];
}

export function allOps(): readonly OpDef[] {
  return ops;
}

/**
 * Adds an op (for extensions and for tests that need a deliberately broken variant). Returns a function
 * that removes it again.
 */
export function registerOp(op: OpDef): () => void {
  if (registry.has(op.name)) throw new Error(`op ${op.name} is already registered`);
  registry.set(op.name, op);
  return () => void registry.delete(op.name);
}
