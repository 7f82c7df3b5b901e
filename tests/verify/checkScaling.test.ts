import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { checkScaling, COMPARISONS } from "../../src/verify/checkScaling.ts";
import { withSumCost } from "../../src/verify/sumCost.ts";

const GRAPHS = fileURLToPath(new URL("../../graphs/", import.meta.url));
const inline = (nodes: string) =>
  parseGraph(
    `gradstream: 1
name: t
inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W: { shape: [1, 2], init: { normal: 1 } }
  b: { shape: [1, 1], init: { normal: 1 } }
nodes:
${nodes}
loss: J`,
    "yaml",
    "t.yaml",
  );

describe("checkScaling", () => {
  it("makes every comparison for every param of a per-sample graph, and passes", async () => {
    const graph = await loadGraph(GRAPHS + "deep-relu.yaml");
    const report = checkScaling(graph, randomBindings(graph, 6, 2).values, { seed: 2 });
    expect(report.notApplicable).toEqual([]);
    expect(report.failures).toEqual([]);
    expect(report.pass).toBe(true);
    const made = new Set(report.comparisons.map((c) => `${c.comparison} ${c.param}`));
    for (const name of Object.keys(COMPARISONS)) for (const p of graph.params) expect(made).toContain(`${name} ${p.id}`);
    for (const c of report.comparisons.filter((c) => c.comparison !== "fd")) expect(c.ratio).toBeCloseTo(1, 12);
  });

  it("says why a comparison cannot be made: one sample has no order", async () => {
    const graph = await loadGraph(GRAPHS + "planar-tanh.yaml");
    expect(checkScaling(graph, randomBindings(graph, 1, 1).values).notApplicable).toEqual([
      { comparison: "permutation", reason: "m = 1: nothing to permute" },
      { comparison: "split", reason: "m = 1: nothing to split" },
    ]);
  });

  it("expects m × the mean of per-sample gradients for a cost summed over the samples", async () => {
    const graph = withSumCost(await loadGraph(GRAPHS + "planar-tanh.yaml"))!;
    const report = checkScaling(graph, randomBindings(graph, 5, 4).values, { seed: 4 });
    expect(report.structure.scalePower).toBe(1);
    expect(report.pass).toBe(true);
    // the doubled batch is compared with 2^k = 2 × the gradient, and matches it
    expect(report.comparisons.filter((c) => c.comparison === "duplication").map((c) => c.ratio)).toEqual(Array(4).fill(expect.closeTo(1, 12)));
    expect(report.notApplicable.map((n) => n.comparison)).toEqual(["sumCost"]);
  });

  it("fails on the shipped coupled graph, naming the node that couples samples", async () => {
    const graph = await loadGraph(GRAPHS + "coupled-batchnorm.yaml");
    const report = checkScaling(graph, randomBindings(graph, 4, 1).values, { seed: 1 });
    expect(report.pass).toBe(false);
    const slicing = report.failures.filter((f) => f.comparison === "slicing");
    expect(slicing.map((f) => f.param)).toEqual(expect.arrayContaining(["W1", "gamma", "W2"]));
    for (const f of slicing) expect(f.diagnosis).toBe("node 'C' (center_batch) couples samples: center_batch is not column-wise: each column of 'C' depends on every sample of the batch; per-sample gradients do not add up to the batch gradient for such a graph, and should not");
    expect(report.notApplicable.find((n) => n.comparison === "vectorised")!.reason).toContain("node 'C' (center_batch) couples samples");
    // the backward itself is right: finite differences agree
    expect(report.failures.filter((f) => f.comparison === "fd")).toEqual([]);
  });

  it("names the node that reads a batch statistic back into the samples", () => {
    const graph = inline(`  Z: { op: linear, in: [W, X, b] }
  mu: { op: mean, in: [Z] }
  Zc: { op: sub, in: [Z, mu] }
  A: { op: tanh, in: [Zc] }
  L: { op: mse, in: [A, Y] }
  J: { op: mean, in: [L] }`);
    const report = checkScaling(graph, randomBindings(graph, 3, 1).values);
    expect(report.failures.find((f) => f.comparison === "slicing")!.diagnosis).toContain("node 'Zc' (sub) couples samples: it reads 'mu', computed from the whole batch");
  });

  it("reads a cost that is not a mean of per-sample costs (the square of a mean) as no power of m", () => {
    const graph = inline(`  Z: { op: linear, in: [W, X, b] }
  L: { op: mse, in: [Z, Y] }
  M: { op: mean, in: [L] }
  J: { op: mul, in: [M, M] }`);
    const report = checkScaling(graph, randomBindings(graph, 3, 1).values, { only: ["slicing"] });
    expect(report.failures[0].diagnosis).toMatch(/^batch gradient ≠ mean of per-sample gradients \(m = 3, ratio [^)]+\), and not by a power of m: a backward disagrees with its forward, or the cost is not a mean of per-sample costs$/);
  });
});
