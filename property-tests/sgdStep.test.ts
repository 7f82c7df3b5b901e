/**
 * Property: one SGD step of the training stream with learning rate η moves every param to
 * θ − η · (mean over the samples of the per-sample gradients). The per-sample gradients are computed
 * independently of the stream and of the runtime: each sample is evaluated alone (m = 1) with the
 * from-scratch `forward`/`backward` of src/graph/evaluate.ts. Random shipped graph, batch size 1..8,
 * data, params and η in [0.001, 2].
 *
 * And the property can fail: the same property with a broken optimizer defined here (an exponentially
 * averaged step without bias correction, which moves only (1−β)·η·g on the first step) is refuted, and
 * fast-check reports the seed and a shrunk counterexample.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fileURLToPath } from "node:url";
import { firstValueFrom, last } from "rxjs";
import { castDraft, produce } from "immer";
import { loadGraph } from "../src/node/loadGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { forward, backward } from "../src/graph/evaluate.ts";
import { randomBindings } from "../src/data/bindData.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { sgd } from "../src/train/sgd.ts";
import type { Optimizer } from "../src/train/optimizer.ts";
import { updateTensor } from "../src/train/updateTensor.ts";
import { batches$ } from "../src/train/batches.ts";
import { selectColumns } from "../src/tensor/selectColumns.ts";
import { trainStream } from "../src/train/trainStream.ts";

const graphs: Graph[] = await Promise.all(
  ["planar-tanh", "logistic-regression", "regression-mse", "deep-relu"].map((name) => loadGraph(fileURLToPath(new URL(`../graphs/${name}.yaml`, import.meta.url)))),
);

/** The mean over samples of dJ/dθ with each sample evaluated alone. */
function meanPerSampleGrads(graph: Graph, inputs: Record<string, Tensor>, params: Record<string, Tensor>, m: number): Record<string, Float64Array> {
  const ids = Object.keys(params);
  const sums: Record<string, Float64Array> = Object.fromEntries(ids.map((id) => [id, new Float64Array(params[id].data.length)]));
  for (let j = 0; j < m; j++) {
    const one = new Map<string, Tensor>(Object.entries(params));
    for (const [id, t] of Object.entries(inputs)) one.set(id, selectColumns(t, [j]));
    const grads = backward(graph, forward(graph, one), ids);
    for (const id of ids) sums[id].forEach((_, i) => (sums[id][i] += grads.get(id)!.data[i]));
  }
  for (const id of ids) sums[id].forEach((s, i) => (sums[id][i] = s / m));
  return sums;
}

function oneSgdStepProperty(makeOptimizer: (lr: number) => Optimizer) {
  return fc.asyncProperty(
    fc.record({
      graph: fc.constantFrom(...graphs),
      m: fc.integer({ min: 1, max: 8 }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      lr: fc.double({ min: 0.001, max: 2, noNaN: true }),
    }),
    async ({ graph, m, seed, lr }) => {
      const { values } = randomBindings(graph, m, seed);
      const inputs: Record<string, Tensor> = {}, params: Record<string, Tensor> = {};
      for (const d of graph.inputs) inputs[d.id] = values.get(d.id)!;
      for (const d of graph.params) params[d.id] = values.get(d.id)!;
      const runtime = createRuntime(graph, { inputs, params });
      const optimizer = makeOptimizer(lr);
      const step = await firstValueFrom(trainStream(runtime, optimizer, batches$(inputs, { batchIds: Object.keys(inputs), steps: 1 }), optimizer.init(params)).pipe(last()));
      runtime.dispose();
      const mean = meanPerSampleGrads(graph, inputs, params, m);
      for (const id of Object.keys(params)) {
        const got = step.state.params[id].data;
        params[id].data.forEach((p, i) => {
          const expected = p - lr * mean[id][i];
          // The batch gradient and the mean of per-sample ones differ only by rounding.
          if (Math.abs(got[i] - expected) > 1e-12 * (1 + Math.abs(expected))) {
            throw new Error(`${graph.name}: ${id}[${i}] = ${got[i]}, θ − η·mean(per-sample grads) = ${expected}`);
          }
        });
      }
    },
  );
}

/** Broken on purpose: an averaged step without bias correction, v = β·0 + (1−β)·g on the first step. */
function unbiasedAverageSgd(lr: number): Optimizer {
  const beta = 0.9;
  return {
    name: "broken-ema-sgd",
    hyper: { lr, beta },
    init: (params) => ({ step: 0, params, slots: {} }),
    step: (state, grads) =>
      produce(state, (draft) => {
        for (const id of Object.keys(state.params)) {
          const p = state.params[id], g = grads[id];
          draft.params[id] = castDraft(updateTensor(p, (i) => p.data[i] - lr * (1 - beta) * g.data[i]));
        }
        draft.step = state.step + 1;
      }),
  };
}

describe("one SGD step = θ − η · mean of per-sample gradients", () => {
  it("holds for the training stream with sgd", async () => {
    await fc.assert(oneSgdStepProperty((lr) => sgd({ lr })), { numRuns: 60 });
  });

  it("fails for a broken optimizer (the property can fail)", async () => {
    const result = await fc.check(oneSgdStepProperty(unbiasedAverageSgd), { numRuns: 60, seed: 42 });
    expect(result.failed).toBe(true);
    expect(result.counterexample).not.toBeNull();
    expect(String(result.errorInstance)).toMatch(/θ − η·mean\(per-sample grads\)/);
  });
});
