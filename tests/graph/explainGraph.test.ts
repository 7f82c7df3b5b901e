import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { explainGraph } from "../../src/graph/explainGraph.ts";

const repo = new URL("../../", import.meta.url);
const load = (name: string) => parseGraph(readFileSync(new URL(`graphs/${name}`, repo), "utf8"), "yaml", name);

describe("explainGraph: where the 1/m goes", () => {
  it("puts the 1/m at the mean in autodiff and at every dW, db (only) in the course's convention", () => {
    const x = explainGraph(load("deep-relu.yaml"));
    expect(x.meanNodes).toEqual(["J"]);
    const eqs = x.nodes.flatMap((n) => n.backward);
    const withOneOverM = (form: "autodiff" | "dls") => eqs.filter((e) => e.mPower[form] === -1).map((e) => e.target).sort();
    expect(withOneOverM("autodiff")).toEqual(["L"]);
    expect(withOneOverM("dls")).toEqual(["W1", "W2", "W3", "b1", "b2", "b3"]);
    expect(eqs.find((e) => e.target === "W1")!.dls).toBe("dW1 = (1/m)·dZ1·Xᵀ");
    expect(eqs.find((e) => e.target === "A1")!.dls).toBe("dA1 = W2ᵀ·dZ2");
  });

  it("does not read a mean over a param's columns as the batch's 1/m (regression)", () => {
    const graph = parseGraph(
      `gradstream: 1
name: penalty
inputs: { X: { shape: [2, m] }, Y: { shape: [1, m] } }
params: { W: { shape: [1, 2] }, b: { shape: [1, 1], init: zeros } }
nodes:
  Z: { op: linear, in: [W, X, b] }
  L: { op: bce_logits, in: [Z, Y] }
  C: { op: mean, in: [L] }
  W2: { op: mul, in: [W, W] }
  R: { op: mean, in: [W2] }
  J: { op: add, in: [C, R] }
loss: J`,
      "yaml",
    );
    const x = explainGraph(graph);
    expect(x.meanNodes).toEqual(["C"]);
    const r = x.nodes.find((n) => n.id === "R")!;
    expect(r.oneOverM).toBe(false);
    expect(r.forward).toBe("R = (1/2)·Σ_columns W2");
    expect(r.backward[0]).toMatchObject({ autodiff: "dJ/dW2 = (1/2)·dJ/dR·1ᵀ", mPower: { autodiff: 0, dls: 0 } });
  });

  it("says so when a node couples samples", () => {
    const x = explainGraph(load("coupled-batchnorm.yaml"));
    expect(x.summary.join("\n")).toMatch(/couples samples at C \(center_batch\)/);
    expect(explainGraph(load("planar-tanh.yaml")).summary.join("\n")).toMatch(/No node couples samples/);
  });
});
