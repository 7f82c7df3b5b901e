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

describe("explainGraph: a mean over items (weighted_mean) — the 1/m becomes 1/ΣM", () => {
  it("puts 1/ΣM where a mean puts 1/m: once at the cost in autodiff, at every dW, db in the course's convention", () => {
    const x = explainGraph(load("masked-items.yaml"));
    expect(x.normaliser).toBe("ΣM");
    expect(x.meanNodes).toEqual([]);
    expect(x.weightedNodes).toEqual([{ node: "J", values: "L", weights: "M" }]);
    const j = x.nodes.find((n) => n.id === "J")!;
    expect(j).toMatchObject({ forward: "J = (1/ΣM)·Σ_samples Mᵢ·Lᵢ", oneOverM: false, oneOverSum: "ΣM" });
    expect(j.backward.map((e) => [e.autodiff, e.dls])).toEqual([
      ["dJ/dL = (1/ΣM)·dJ/dJ·M", "dL = dJ·M"],
      ["dJ/dM = (1/ΣM)·dJ/dJᵀ·(L − J·1ᵀ)", "dM = dJᵀ·(L − J·1ᵀ)"],
    ]);
    const eqs = x.nodes.flatMap((n) => n.backward);
    const withOneOverSum = (form: "autodiff" | "dls") => eqs.filter((e) => e.mPower[form] === -1).map((e) => e.target).sort();
    expect(withOneOverSum("autodiff")).toEqual(["L", "M"]);
    expect(withOneOverSum("dls")).toEqual(["W1", "W2", "b1", "b2"]);
    expect(eqs.find((e) => e.target === "W1")!.dls).toBe("dW1 = (1/ΣM)·dZ1·Xᵀ");
    expect(x.summary[0]).toBe("The 1/m becomes 1/ΣM at J = weighted_mean(L, M): J = (1/ΣM)·Σᵢ Mᵢ·Lᵢ, a mean over the ΣM items, not over the m samples; so dJ/dLᵢ = Mᵢ/ΣM, and 0 for a sample that holds no item.");
    expect(x.summary.at(-1)).toMatch(/^No node couples samples, so the batch gradient is the M-weighted mean of the per-sample gradients, Σᵢ Mᵢ·∇Lᵢ \/ ΣM; /);
  });
});
