/**
 * The training stream against a from-scratch reference: every step's loss and gradients are those of
 * `forward`/`backward` at that step's params, and its next state is the optimizer's step from them. The
 * stream emits exactly one step per batch, and the runtime recomputes each needed cell exactly once per
 * step and never computes what training does not read (dJ/dX).
 */
import { describe, expect, it } from "vitest";
import { firstValueFrom, toArray } from "rxjs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { forward, backward } from "../../src/graph/evaluate.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { adam } from "../../src/train/adam.ts";
import { sgd } from "../../src/train/sgd.ts";
import { batches$ } from "../../src/train/batches.ts";
import { trainStream } from "../../src/train/trainStream.ts";

const graphPath = fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url));

async function setup(m: number) {
  const graph = await loadGraph(graphPath);
  const { values } = randomBindings(graph, m, 4);
  const inputs = { X: values.get("X")!, Y: values.get("Y")! };
  const params: Record<string, Tensor> = {};
  for (const p of graph.params) params[p.id] = values.get(p.id)!;
  return { graph, inputs, params, runtime: createRuntime(graph, { inputs, params }) };
}

describe("trainStream", () => {
  it("each step's loss and grads are forward/backward at that step's params, and the next state is the optimizer's step", async () => {
    const { graph, inputs, params, runtime } = await setup(12);
    const opt = adam({ lr: 0.05 });
    const steps = await firstValueFrom(trainStream(runtime, opt, batches$(inputs, { batchIds: ["X", "Y"], steps: 6, batchSize: 5, seed: 1 }), opt.init(params)).pipe(toArray()));
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps.map((s) => s.epoch)).toEqual([0, 0, 0, 1, 1, 1]);
    let state = opt.init(params);
    const batches = await firstValueFrom(batches$(inputs, { batchIds: ["X", "Y"], steps: 6, batchSize: 5, seed: 1 }).pipe(toArray()));
    for (const [k, s] of steps.entries()) {
      const values = forward(graph, new Map(Object.entries({ ...batches[k].inputs, ...state.params })));
      const grads = backward(graph, values, Object.keys(params));
      expect(s.loss).toBe(values.get("J")!.data[0]);
      for (const id of Object.keys(params)) expect(Array.from(s.grads[id].data)).toEqual(Array.from(grads.get(id)!.data));
      state = opt.step(state, Object.fromEntries(Object.keys(params).map((id) => [id, grads.get(id)!])));
      for (const id of Object.keys(params)) expect(Array.from(s.state.params[id].data)).toEqual(Array.from(state.params[id].data));
    }
    // One transaction per step, after the runtime's creation (epoch 0).
    expect(steps.map((s) => s.runtimeEpoch)).toEqual([1, 2, 3, 4, 5, 6]);
    runtime.dispose();
  });

  it("full batch: one recomputation of each needed cell per step, and none of dJ/dX", async () => {
    const { inputs, params, runtime } = await setup(7);
    const opt = sgd({ lr: 0.5 });
    const n = 25;
    await firstValueFrom(trainStream(runtime, opt, batches$(inputs, { batchIds: ["X", "Y"], steps: n }), opt.init(params)).pipe(toArray()));
    const { computes } = runtime.stats();
    // The first read when training subscribes, then one per transaction.
    for (const key of ["Z1", "A1", "Z2", "A2", "L", "J", "grad:W1", "grad:b1", "grad:W2", "grad:b2", "grad:Z1"]) expect(computes[key], key).toBe(n + 1);
    expect(computes["grad:X"]).toBe(0);
    expect(computes["grad:Y"]).toBe(0);
    runtime.dispose();
  });

  it("stops listening to the runtime when the stream ends", async () => {
    const { inputs, params, runtime } = await setup(4);
    const opt = sgd({ lr: 0.1 });
    await firstValueFrom(trainStream(runtime, opt, batches$(inputs, { batchIds: ["X", "Y"], steps: 2 }), opt.init(params)).pipe(toArray()));
    const before = runtime.stats().computes.Z1;
    runtime.set({ W1: params.W1 });
    expect(runtime.stats().computes.Z1).toBe(before); // nothing observes Z1 any more: no work
    runtime.dispose();
  });
});
