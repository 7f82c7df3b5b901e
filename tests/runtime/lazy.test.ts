/**
 * Laziness: nothing is computed that no subscriber needs, and a subscription pulls in exactly the forward
 * and backward cells it needs, read off planar-tanh's equations by hand.
 */
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { computedSince, graphOf, record, sc } from "./runtimeHarness.ts";
import { tensor } from "../../src/tensor/tensor.ts";

const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));
const once = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 1]));

describe("lazy", () => {
  it("computes nothing without subscribers, however many sets", () => {
    const rt = createRuntime(graph, { seed: 2 });
    rt.set({ W1: tensor(4, 2, new Float64Array(8).fill(0.1)) });
    rt.set({ b2: [[0.3]] });
    expect(rt.stats().epoch).toBe(2);
    expect(computedSince({}, rt.stats().computes)).toEqual({});
  });

  it("value$ of Z1 computes Z1 alone; later sets outside its cone compute nothing", () => {
    const rt = createRuntime(graph, { seed: 2 });
    rt.value$("Z1").subscribe();
    expect(computedSince({}, rt.stats().computes)).toEqual({ Z1: 1 });
    rt.set({ W2: tensor(1, 4, new Float64Array(4).fill(0.2)) });
    rt.set({ Y: [[1, 0, 1, 0]] });
    rt.set({ b2: [[0.5]] });
    expect(computedSince({}, rt.stats().computes)).toEqual({ Z1: 1 });
    rt.set({ b1: [[0.1], [0.2], [0.3], [0.4]] });
    expect(computedSince({}, rt.stats().computes)).toEqual({ Z1: 2 });
  });

  it("grad$ of W2 pulls in the forward pass and exactly the backward cells between the loss and W2", () => {
    const rt = createRuntime(graph, { seed: 2 });
    rt.grad$("W2").subscribe();
    // dJ/dW2 = dZ2·A1ᵀ, dZ2 = dA2 ⊙ σ'(Z2), dA2 from bce(A2, Y) and dL, dL from mean's backward of dJ = 1.
    expect(computedSince({}, rt.stats().computes)).toEqual(once(["Z1", "A1", "Z2", "A2", "L", "J", "grad:J", "grad:L", "grad:A2", "grad:Z2", "grad:W2"]));
    // b2's gradient shares everything down to dZ2: one more cell.
    const before = rt.stats().computes;
    rt.grad$("b2").subscribe();
    expect(computedSince(before, rt.stats().computes)).toEqual({ "grad:b2": 1 });
    // and a change to b1 now recomputes exactly what those two subscriptions need, once each
    const before2 = rt.stats().computes;
    rt.set({ b1: [[0.1], [0.2], [0.3], [0.4]] });
    expect(computedSince(before2, rt.stats().computes)).toEqual(once(["Z1", "A1", "Z2", "A2", "L", "J", "grad:L", "grad:A2", "grad:Z2", "grad:W2", "grad:b2"]));
  });

  it("unsubscribing stops the work; resubscribing catches up with one compute per cell", () => {
    const rt = createRuntime(graph, { seed: 2 });
    const sub = rt.grad$("W1").subscribe();
    sub.unsubscribe();
    const before = rt.stats().computes;
    for (let i = 0; i < 3; i++) rt.set({ b2: [[i]] });
    expect(computedSince(before, rt.stats().computes)).toEqual({});
    rt.grad$("W1").subscribe();
    // b2 moved Z2 and everything after it, and every gradient on the way back to W1 (Z1, A1 unchanged)
    expect(computedSince(before, rt.stats().computes)).toEqual(once(["Z2", "A2", "L", "J", "grad:L", "grad:A2", "grad:Z2", "grad:A1", "grad:Z1", "grad:W1"]));
  });
});

describe("lazy reads then subscriptions (regression)", () => {
  // The first runtime kept a per-cell "stale" flag that activation set and only a recompute cleared: a
  // cell already verified in this epoch (here by snapshot()) stayed flagged forever, and every later
  // transaction skipped it and everything after it. So snapshot() then grad$ emitted once and never again.
  const g = graphOf(`
gradstream: 1
name: square
inputs:
  x: { shape: [1, 1] }
nodes:
  v: { op: add, in: [x, x] }
  L: { op: mse, in: [v, x] }
  J: { op: mean, in: [L] }
loss: J
`);

  it("a node read by snapshot() and then observed in the same epoch keeps updating", () => {
    const rt = createRuntime(g, { inputs: { x: sc(1) } });
    rt.snapshot();
    const dx = record(rt, rt.grad$("x"));
    const v = record(rt, rt.value$("v"));
    rt.set({ x: sc(2) });
    rt.set({ x: sc(3) });
    // J = (2x − x)² = x², dJ/dx = 2x
    expect(dx.values).toEqual([2, 4, 6]);
    expect(v.values).toEqual([2, 4, 6]);
  });
});
