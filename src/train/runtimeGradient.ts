/**
 * The cost and the params' gradients of one batch, at given params, computed by a reactive runtime: in one
 * transaction, or — gradient accumulation — in K micro-batches (K nearly equal parts of the batch's
 * samples, in order), one transaction each, combined by the rule that fits the cost: each micro-batch's
 * gradient gₖ carries 1/Wₖ for its own Wₖ items, so the batch's is Σₖ (Wₖ/W)·gₖ (Σₖ gₖ for a cost summed
 * over the samples), and likewise its cost. The result equals the batch's own to rounding (1e-15
 * relative). A micro-batch that holds no items (all padding under a mask) is not evaluated.
 *
 * Observing the loss and the params' gradients keeps exactly those cells (and what they need) live: a
 * transaction recomputes them once, and nothing else (no dJ/dX).
 *
 * @example
 * const g = runtimeGradient(runtime, { params: ["W1", "b1"], accumulate: 4 });
 * const { loss, grads, items } = g.evaluate({ X, Y }, params); // 4 transactions, one result
 * g.close();
 */
import { Subscription } from "rxjs";
import { GradstreamError } from "../errors.ts";
import { hasBatchDim } from "../graph/graph.ts";
import type { Runtime } from "../runtime/createRuntime.ts";
import { type Tensor, tensor } from "../tensor/tensor.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";
import { type CombineRule, fittingRule, ruleWeights } from "../verify/combineRule.ts";
import { type BatchPart, batchItems, cannotSplit, cutBatch } from "./cutBatch.ts";

/** A batch's cost and gradients, and the items it holds (its samples, or Σw for a weighted cost). */
export interface BatchGradient {
  readonly loss: number;
  readonly grads: Readonly<Record<string, Tensor>>;
  readonly items: number;
}

export interface RuntimeGradientOptions {
  /** The params to differentiate. */
  readonly params: readonly string[];
  /** Micro-batches per batch (default 1). A batch of fewer samples is cut into as many parts as it has. */
  readonly accumulate?: number;
  /**
   * The rule that combines the micro-batches (default: the one that fits the cost). Another rule is a bug
   * on purpose — `mean` is the naive average of micro-batch gradients — to show what it does to training.
   */
  readonly combine?: CombineRule;
}

export interface RuntimeGradient {
  /** The rule micro-batches are combined with. */
  readonly rule: CombineRule;
  evaluate(inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>): BatchGradient;
  /** Stops observing the runtime. */
  close(): void;
}

export function runtimeGradient(runtime: Runtime, opts: RuntimeGradientOptions): RuntimeGradient {
  const graph = runtime.graph;
  const structure = sampleStructure(graph);
  const accumulate = opts.accumulate ?? 1;
  const rule = opts.combine ?? fittingRule(structure);
  const refusal = accumulate > 1 ? cannotSplit(graph, "gradient accumulation") : undefined;
  if (refusal) throw refusal;
  const batchIds = graph.inputs.filter((d) => hasBatchDim(d.shape)).map((d) => d.id);

  let loss = NaN;
  const current: Record<string, Tensor> = {};
  const watching = new Subscription();
  watching.add(runtime.value$(graph.loss).subscribe((t) => (loss = t.data[0])));
  for (const id of opts.params) watching.add(runtime.grad$(id).subscribe((g) => (current[id] = g)));

  // Inputs are set only when they are other tensors than last time: a full batch hands the same ones every
  // step, so nothing that depends on the inputs alone is recomputed.
  let lastSet: Record<string, Tensor> = {};
  const step = (inputs: Readonly<Record<string, Tensor>>, params?: Readonly<Record<string, Tensor>>) => {
    runtime.transaction(() => {
      const changed: Record<string, Tensor> = {};
      for (const id of Object.keys(inputs)) if (inputs[id] !== lastSet[id]) changed[id] = inputs[id];
      runtime.set({ ...changed, ...params });
    });
    lastSet = { ...lastSet, ...inputs };
  };

  // The micro-batches of the last batch seen, and their items: cut once per batch, not once per step.
  let cutFrom: Readonly<Record<string, Tensor>> | undefined;
  let cut: BatchPart[] = [];
  const microBatches = (inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>) => {
    if (inputs !== cutFrom) (cut = cutBatch(graph, inputs, params, accumulate)), (cutFrom = inputs);
    return cut;
  };

  return {
    rule: rule ?? "weighted",
    evaluate(inputs, params) {
      if (accumulate <= 1) {
        step(inputs, params);
        const items = structure.weights === undefined && batchIds.length ? inputs[batchIds[0]].shape[1] : batchItems(graph, inputs, params);
        return { loss, grads: { ...current }, items };
      }
      const parts = microBatches(inputs, params);
      const weights = ruleWeights(rule!, parts.map((p) => p.items));
      // Combined as each micro-batch is computed: the runtime's tensors are not held across transactions.
      let combinedLoss = 0;
      const sums: Record<string, Float64Array> = {};
      let paramsSet = false;
      parts.forEach((part, k) => {
        if (part.items === 0) return; // no items: no cost, and weight 0
        step(part.inputs, paramsSet ? undefined : params);
        paramsSet = true;
        const c = weights[k];
        combinedLoss += c * loss;
        for (const id of opts.params) {
          const g = current[id].data;
          const acc = sums[id] ?? (sums[id] = new Float64Array(g.length));
          for (let i = 0; i < acc.length; i++) acc[i] += c * g[i];
        }
      });
      if (!paramsSet) throw new GradstreamError("COMPUTE", { file: graph.source, node: structure.reductions[0]?.node, message: `the batch holds no items (its weights '${structure.weights}' sum to 0): no cost to average` });
      const grads: Record<string, Tensor> = {};
      for (const id of opts.params) grads[id] = tensor(current[id].shape[0], current[id].shape[1], sums[id]);
      return { loss: combinedLoss, grads, items: parts.reduce((a, p) => a + p.items, 0) };
    },
    close: () => watching.unsubscribe(),
  };
}
