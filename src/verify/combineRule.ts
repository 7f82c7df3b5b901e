/**
 * How the gradients of the parts of a batch (micro-batches, or the shards of data-parallel workers) are
 * combined into one. Part k's own cost is a mean over its own Wₖ items, so its gradient gₖ carries 1/Wₖ,
 * not 1/W. The rules:
 *
 * | rule       | combination      | reproduces the batch gradient                                   |
 * |------------|------------------|-----------------------------------------------------------------|
 * | `weighted` | Σₖ (Wₖ/W)·gₖ     | for a mean cost (over samples: Wₖ = mₖ; over items: Wₖ = Σ w)   |
 * | `mean`     | (1/K)·Σₖ gₖ      | only when every part holds the same number of items             |
 * | `sum`      | Σₖ gₖ            | for a cost summed over the samples (each gₖ is already a sum)   |
 *
 * A part that holds no items has no cost (0/0): the weighted rule gives it weight 0, and the mean and sum
 * rules count it as a zero gradient (what a trainer that guards the division computes).
 *
 * @example
 * ruleWeights("weighted", [3, 13]) // [3/16, 13/16]
 * ruleWeights("mean", [3, 13])     // [1/2, 1/2]: part 1 holds 3 of 16 items but weighs 1/2
 * combineParts([{ loss: 0.4, grads: { W } }, { loss: 0.9, grads: { W: W2 } }], [0.25, 0.75])
 */
import { type Tensor, tensor } from "../tensor/tensor.ts";
import type { SampleStructure } from "./sampleStructure.ts";

export const COMBINE_RULES = ["weighted", "mean", "sum"] as const;
export type CombineRule = (typeof COMBINE_RULES)[number];

/** The weight `rule` gives each part, given the items each holds. */
export function ruleWeights(rule: CombineRule, items: readonly number[]): number[] {
  if (rule === "mean") return items.map(() => 1 / items.length);
  if (rule === "sum") return items.map(() => 1);
  const total = items.reduce((a, b) => a + b, 0);
  return items.map((w) => w / total);
}

/**
 * The rule that reproduces the batch gradient for a graph's cost: `weighted` for a mean (over the
 * samples, or over the items a `weighted_mean` counts), `sum` for a sum over the samples; undefined when
 * the cost is neither (`structure.scaleNote` says why).
 */
export function fittingRule(structure: SampleStructure): CombineRule | undefined {
  if (structure.scalePower === 0) return "weighted";
  if (structure.scalePower === 1) return "sum";
  return undefined;
}

/** A part's cost and gradients; absent for a part that holds no items. */
export interface PartResult {
  readonly loss: number;
  readonly grads: Readonly<Record<string, Tensor>>;
}

/**
 * Σₖ weightₖ·gₖ for every param, and Σₖ weightₖ·Jₖ for the cost, parts in order. A part without a result
 * (no items) contributes nothing.
 */
export function combineParts(parts: readonly (PartResult | undefined)[], weights: readonly number[]): PartResult {
  let loss = 0;
  const sums: Record<string, Float64Array> = {};
  const shapes: Record<string, readonly [number, number]> = {};
  parts.forEach((part, k) => {
    if (!part) return;
    const c = weights[k];
    loss += c * part.loss;
    for (const [id, g] of Object.entries(part.grads)) {
      const acc = sums[id] ?? (sums[id] = new Float64Array(g.data.length));
      shapes[id] = g.shape;
      const d = g.data;
      for (let i = 0; i < acc.length; i++) acc[i] += c * d[i];
    }
  });
  const grads: Record<string, Tensor> = {};
  for (const id of Object.keys(sums)) grads[id] = tensor(shapes[id][0], shapes[id][1], sums[id]);
  return { loss, grads };
}

/** m samples cut in order into `parts` nearly equal parts: the first m mod parts hold one sample more. */
export function evenSizes(m: number, parts: number): number[] {
  const base = Math.floor(m / parts), extra = m % parts;
  return Array.from({ length: parts }, (_, k) => base + (k < extra ? 1 : 0));
}
