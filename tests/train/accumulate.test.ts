/**
 * Gradient accumulation (`trainStream(..., { accumulate: K })`): each update combines K micro-batches of
 * the batch, one runtime transaction each, by the weighted rule Σₖ (Wₖ/W)·gₖ. The reference is training
 * without it on the same batches: every step's cost and the params after it agree to 1e-10 relative — on
 * uneven splits (10 samples in 4 + 3 + 3), on shuffled mini-batches, and on the masked graph, whose
 * micro-batches hold different numbers of items or none. The naive average of micro-batch gradients (the
 * `mean` rule), on the same batches, drifts away from it.
 */
import { describe, expect, it } from "vitest";
import { firstValueFrom, toArray } from "rxjs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { loadData } from "../../src/node/loadData.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import type { Graph } from "../../src/graph/graph.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { adam } from "../../src/train/adam.ts";
import { sgd } from "../../src/train/sgd.ts";
import type { Optimizer } from "../../src/train/optimizer.ts";
import { batches$ } from "../../src/train/batches.ts";
import { trainStream, type TrainStep, type TrainStreamOptions } from "../../src/train/trainStream.ts";
import { GradstreamError } from "../../src/errors.ts";

const GRAPHS = fileURLToPath(new URL("../../graphs/", import.meta.url));

interface Problem {
  graph: Graph;
  inputs: Record<string, Tensor>;
  params: Record<string, Tensor>;
}

async function problem(file: string, data: { m: number; seed: number } | string): Promise<Problem> {
  const graph = await loadGraph(GRAPHS + file);
  const { values } = typeof data === "string" ? await loadData(fileURLToPath(new URL(`../../${data}`, import.meta.url)), graph, 1) : randomBindings(graph, data.m, data.seed);
  const inputs: Record<string, Tensor> = {}, params: Record<string, Tensor> = {};
  for (const [id, t] of values) (graph.kinds.get(id) === "param" ? params : inputs)[id] = t;
  return { graph, inputs, params };
}

async function train(p: Problem, optimizer: Optimizer, steps: number, options: TrainStreamOptions & { batchSize?: number } = {}): Promise<{ steps: TrainStep[]; epochs: number }> {
  const runtime = createRuntime(p.graph, { inputs: p.inputs, params: p.params });
  const batchIds = p.graph.inputs.map((d) => d.id);
  const out = await firstValueFrom(trainStream(runtime, optimizer, batches$(p.inputs, { batchIds, steps, batchSize: options.batchSize, seed: 3 }), optimizer.init(p.params), options).pipe(toArray()));
  const epochs = runtime.stats().epoch;
  runtime.dispose();
  return { steps: out, epochs };
}

/** ‖a − b‖/(‖a‖ + ‖b‖) over every param. */
function paramsDifference(a: Readonly<Record<string, Tensor>>, b: Readonly<Record<string, Tensor>>): number {
  let d = 0, na = 0, nb = 0;
  for (const id of Object.keys(a)) {
    a[id].data.forEach((x, i) => {
      const y = b[id].data[i];
      d += (x - y) ** 2;
      na += x * x;
      nb += y * y;
    });
  }
  return Math.sqrt(d) / (Math.sqrt(na) + Math.sqrt(nb));
}

/** The largest relative difference of the costs, step by step, and of the params after each step. */
function worst(a: TrainStep[], b: TrainStep[]): { cost: number; params: number } {
  expect(a.map((s) => s.step)).toEqual(b.map((s) => s.step));
  let cost = 0, params = 0;
  a.forEach((s, k) => {
    cost = Math.max(cost, Math.abs(s.loss - b[k].loss) / Math.abs(b[k].loss));
    params = Math.max(params, paramsDifference(s.state.params, b[k].state.params));
  });
  return { cost, params };
}

describe("train with --accumulate: the same costs and params as without it, to 1e-10", () => {
  it("an uneven split: 10 samples in micro-batches of 4, 3 and 3, adam, 60 steps; one transaction per micro-batch", async () => {
    const p = await problem("planar-tanh.yaml", { m: 10, seed: 7 });
    const plain = await train(p, adam({ lr: 0.05 }), 60);
    const accumulated = await train(p, adam({ lr: 0.05 }), 60, { accumulate: 3 });
    const d = worst(accumulated.steps, plain.steps);
    expect(d.cost).toBeLessThan(1e-10);
    expect(d.params).toBeLessThan(1e-10);
    expect(accumulated.epochs).toBe(3 * 60);
    expect(plain.epochs).toBe(60);
    // training did something: the cost fell
    expect(plain.steps.at(-1)!.loss).toBeLessThan(0.9 * plain.steps[0].loss);
  });

  it("shuffled mini-batches of 7 (the last of 3), 4 micro-batches each (2+2+2+1, then 1+1+1), sgd", async () => {
    const p = await problem("deep-relu.yaml", { m: 17, seed: 2 });
    const plain = await train(p, sgd({ lr: 0.3 }), 40, { batchSize: 7 });
    const accumulated = await train(p, sgd({ lr: 0.3 }), 40, { batchSize: 7, accumulate: 4 });
    const d = worst(accumulated.steps, plain.steps);
    expect(d.cost).toBeLessThan(1e-10);
    expect(d.params).toBeLessThan(1e-10);
  });

  it("the masked graph: micro-batches of 3, 6 and 7 items (K = 3) or some with none (K = 8: 6 of 8 evaluated)", async () => {
    const p = await problem("masked-items.yaml", "data/masked-items.json");
    const plain = await train(p, sgd({ lr: 0.5 }), 80);
    for (const [K, transactions] of [[3, 3], [8, 6]]) {
      const accumulated = await train(p, sgd({ lr: 0.5 }), 80, { accumulate: K });
      const d = worst(accumulated.steps, plain.steps);
      expect(d.cost, `K = ${K}`).toBeLessThan(1e-10);
      expect(d.params, `K = ${K}`).toBeLessThan(1e-10);
      expect(accumulated.epochs, `K = ${K}`).toBe(transactions * 80);
    }
  });
});

describe("the naive average of micro-batch gradients (the mean rule) drifts away", () => {
  it("on the uneven split of 10 samples (sgd): wrong from the first step (0.014 of the params), and further off as training goes (0.19 after 60)", async () => {
    const p = await problem("planar-tanh.yaml", { m: 10, seed: 7 });
    const plain = await train(p, sgd({ lr: 1 }), 60);
    const naive = await train(p, sgd({ lr: 1 }), 60, { accumulate: 3, combine: "mean" });
    expect(Math.abs(naive.steps[0].loss - plain.steps[0].loss)).toBeGreaterThan(1e-6);
    const early = paramsDifference(naive.steps[0].state.params, plain.steps[0].state.params);
    const late = paramsDifference(naive.steps.at(-1)!.state.params, plain.steps.at(-1)!.state.params);
    expect(early).toBeGreaterThan(1e-6);
    expect(late).toBeGreaterThan(10 * early);
  });

  it("on the masked graph: micro-batches of 3, 6 and 7 items each weighed 1/3", async () => {
    const p = await problem("masked-items.yaml", "data/masked-items.json");
    const plain = await train(p, sgd({ lr: 0.5 }), 80);
    const naive = await train(p, sgd({ lr: 0.5 }), 80, { accumulate: 3, combine: "mean" });
    expect(worst(naive.steps, plain.steps).params).toBeGreaterThan(1e-3);
  });

  it("but not on an even split, where every micro-batch holds the same number of samples", async () => {
    const p = await problem("planar-tanh.yaml", { m: 12, seed: 7 });
    const plain = await train(p, adam({ lr: 0.05 }), 30);
    const naive = await train(p, adam({ lr: 0.05 }), 30, { accumulate: 3, combine: "mean" });
    expect(worst(naive.steps, plain.steps).params).toBeLessThan(1e-10);
  });
});

describe("accumulation refuses what it cannot reproduce", () => {
  it("a graph that couples samples: a usage error naming the node", async () => {
    const p = await problem("coupled-batchnorm.yaml", { m: 6, seed: 1 });
    const error = await train(p, sgd({ lr: 0.1 }), 2, { accumulate: 2 }).then(() => undefined, (e) => e);
    expect(error).toBeInstanceOf(GradstreamError);
    expect(error.code).toBe("USAGE");
    expect(error.message).toMatch(/node C: gradient accumulation needs a cost that is a mean or a sum of per-sample costs: node 'C' \(center_batch\) couples samples/);
  });
});
