import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { sampleStructure } from "../../src/verify/sampleStructure.ts";
import { withSumCost } from "../../src/verify/sumCost.ts";

const GRAPHS = fileURLToPath(new URL("../../graphs/", import.meta.url));

const graph = (nodes: string, extra = "") =>
  parseGraph(
    `gradstream: 1
name: t
inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W: { shape: [1, 2] }
  b: { shape: [1, 1] }
${extra}
nodes:
${nodes}
loss: J`,
    "yaml",
    "t.yaml",
  );

describe("sampleStructure", () => {
  it("finds no coupling in the shipped per-sample graphs, and a mean cost (k = 0) in each: over the samples, or over the items of masked-items", async () => {
    for (const file of readdirSync(GRAPHS).filter((f) => f.endsWith(".yaml") && f !== "coupled-batchnorm.yaml")) {
      const s = sampleStructure(await loadGraph(GRAPHS + file));
      expect(s.coupling, file).toEqual([]);
      expect(s.scalePower, file).toBe(0);
      if (file === "masked-items.yaml") {
        expect(s.reductions, file).toEqual([{ node: "J", op: "weighted_mean", mPower: -1, weights: "M" }]);
        expect(s.weights).toBe("M");
      } else {
        expect(s.reductions.map((r) => r.op), file).toEqual(["mean"]);
        expect(s.weights, file).toBeUndefined();
      }
    }
  });

  it("has no scale when a weighted mean's weights depend on a param (the weighting itself is trained)", () => {
    const s = sampleStructure(parseGraph(`gradstream: 1
name: learned-weights
inputs: { X: { shape: [2, m] }, Y: { shape: [1, m] } }
params: { w: { shape: [1, 2] }, v: { shape: [1, 2] } }
nodes:
  Z: { op: matmul, in: [w, X] }
  L: { op: bce_logits, in: [Z, Y] }
  S: { op: matmul, in: [v, X] }
  P: { op: sigmoid, in: [S] }
  J: { op: weighted_mean, in: [L, P] }
loss: J`, "yaml", "t.yaml"));
    expect(s.scalePower).toBeUndefined();
    expect(s.scaleNote).toBe("the weights 'P' of J (weighted_mean) depend on param 'v', so the cost is not a fixed weighting of per-sample costs");
  });

  it("names the batch-centring node of the shipped coupled graph", async () => {
    const s = sampleStructure(await loadGraph(GRAPHS + "coupled-batchnorm.yaml"));
    expect(s.coupling).toEqual([{ node: "C", op: "center_batch", reason: "center_batch is not column-wise: each column of 'C' depends on every sample of the batch" }]);
  });

  it("gives k = 1 for a cost summed over the samples", async () => {
    const s = sampleStructure(withSumCost(await loadGraph(GRAPHS + "planar-tanh.yaml"))!);
    expect(s.scalePower).toBe(1);
    expect(s.reductions).toEqual([{ node: "J", op: "sum", mPower: 0 }]);
  });

  it("names a per-sample node that reads a batch statistic (a column-wise op fed by a mean over the batch)", () => {
    const s = sampleStructure(
      graph(`  Z: { op: linear, in: [W, X, b] }
  mu: { op: mean, in: [Z] }
  Zc: { op: sub, in: [Z, mu] }
  A: { op: sigmoid, in: [Zc] }
  L: { op: bce, in: [A, Y] }
  J: { op: mean, in: [L] }`),
    );
    expect(s.coupling.map((c) => c.node)).toEqual(["Zc"]);
    expect(s.coupling[0].reason).toBe("it reads 'mu', computed from the whole batch, so each column of 'Zc' depends on every sample");
  });

  it("has no scale when the reductions disagree (a mean and a sum in one cost)", () => {
    const s = sampleStructure(
      graph(`  Z: { op: linear, in: [W, X, b] }
  A: { op: sigmoid, in: [Z] }
  L: { op: bce, in: [A, Y] }
  J1: { op: mean, in: [L] }
  J2: { op: sum, in: [L] }
  J: { op: add, in: [J1, J2] }`),
    );
    expect(s.scalePower).toBeUndefined();
    expect(s.scaleNote).toContain("J1: mean, J2: sum");
  });

  it("ignores nodes the loss does not depend on", () => {
    const s = sampleStructure(
      graph(`  Z: { op: linear, in: [W, X, b] }
  C: { op: center_batch, in: [Z] }
  A: { op: sigmoid, in: [Z] }
  L: { op: bce, in: [A, Y] }
  J: { op: mean, in: [L] }`),
    );
    expect(s.coupling).toEqual([]);
  });
});
