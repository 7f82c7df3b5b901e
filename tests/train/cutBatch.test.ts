/**
 * `cutBatch`: the parts of a batch that accumulation and workers compute, with their items, checked against
 * the masked data written out by hand; and a whole batch is handed on as it is (regression: counting the
 * items of an uncut batch used to copy every input at every training step).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { loadData } from "../../src/node/loadData.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { batchItems, cannotSplit, cutBatch } from "../../src/train/cutBatch.ts";

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

async function masked() {
  const graph = await loadGraph(file("graphs/masked-items.yaml"));
  const { values } = await loadData(file("data/masked-items.json"), graph);
  const inputs: Record<string, Tensor> = {}, params: Record<string, Tensor> = {};
  for (const [id, t] of values) (graph.kinds.get(id) === "param" ? params : inputs)[id] = t;
  return { graph, inputs, params };
}

describe("cutBatch", () => {
  it("cuts the masked batch in order into nearly equal parts, each with the items its mask counts", async () => {
    const { graph, inputs, params } = await masked();
    const mask: number[] = JSON.parse(readFileSync(file("data/masked-items.json"), "utf8")).inputs.M[0];
    const parts = cutBatch(graph, inputs, params, 3);
    expect(parts.map((p) => p.inputs.X.shape[1])).toEqual([11, 11, 10]);
    const sum = (a: number, b: number) => mask.slice(a, b).reduce((x, y) => x + y, 0);
    expect(parts.map((p) => p.items)).toEqual([sum(0, 11), sum(11, 22), sum(22, 32)]);
    expect(parts.map((p) => p.items)).toEqual([3, 6, 7]);
    expect(Array.from(parts[1].inputs.M.data)).toEqual(mask.slice(11, 22));
    expect(parts[2].inputs.Y.shape).toEqual([3, 10]);
  });

  it("never more parts than samples", async () => {
    const { graph, inputs, params } = await masked();
    expect(cutBatch(graph, inputs, params, 100).map((p) => p.inputs.X.shape[1])).toEqual(Array(32).fill(1));
  });

  it("one part is the batch itself, the same object (no copy), with all its items", async () => {
    const { graph, inputs, params } = await masked();
    const [whole] = cutBatch(graph, inputs, params, 1);
    expect(whole.inputs).toBe(inputs);
    expect(whole.items).toBe(16);
    expect(batchItems(graph, inputs, params)).toBe(16);
  });

  it("refuses a graph that couples samples, naming the node", async () => {
    const graph = await loadGraph(file("graphs/coupled-batchnorm.yaml"));
    expect(cannotSplit(graph, "gradient accumulation")?.message).toMatch(/node C: gradient accumulation needs a cost that is a mean or a sum of per-sample costs: node 'C' \(center_batch\) couples samples/);
    expect(cannotSplit(await loadGraph(file("graphs/planar-tanh.yaml")), "gradient accumulation")).toBeUndefined();
  });
});
