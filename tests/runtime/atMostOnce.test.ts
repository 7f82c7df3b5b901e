/**
 * At most once, and only inside the changed sources' cone: in one transaction each affected cell, forward
 * and gradient, is computed exactly once, and cells the change cannot reach are not computed at all.
 * On graphs/planar-tanh.yaml (Z1 = W1·X + b1, A1 = tanh Z1, Z2 = W2·A1 + b2, A2 = σ Z2, L = bce(A2, Y),
 * J = mean L), with the loss and every param's gradient observed. The expected sets are read off the
 * graph's equations by hand.
 */
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { createRuntime, type Runtime } from "../../src/runtime/createRuntime.ts";
import { tensor, type Tensor } from "../../src/tensor/tensor.ts";
import { computedSince } from "./runtimeHarness.ts";

const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));
const M = 5;

function perturbed(t: Tensor, by: number): Tensor {
  return tensor(t.shape[0], t.shape[1], t.data.map((v, i) => v + by * ((i % 3) - 1) + by / 7));
}

function observed(): { rt: Runtime; values: Map<string, Tensor> } {
  const { values } = randomBindings(graph, M, 3);
  const rt = createRuntime(graph, { inputs: { X: values.get("X")!, Y: values.get("Y")! }, params: Object.fromEntries(graph.params.map((p) => [p.id, values.get(p.id)!])) });
  rt.value$("J").subscribe();
  for (const p of ["W1", "b1", "W2", "b2"]) rt.grad$(p).subscribe();
  return { rt, values };
}

/** Every gradient cell the observed param gradients need, except dJ/dJ (a constant 1). */
const backwardCells = ["grad:L", "grad:A2", "grad:Z2", "grad:W2", "grad:b2", "grad:A1", "grad:Z1", "grad:W1", "grad:b1"];
const once = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 1]));

describe("at most once per transaction, only in the changed sources' cone", () => {
  it("changing Y recomputes L, J and the backward cells, not Z1, A1, Z2, A2", () => {
    const { rt, values } = observed();
    const before = rt.stats();
    rt.set({ Y: tensor(1, M, values.get("Y")!.data.map((y) => 1 - y)) });
    const after = rt.stats();
    expect(after.epoch).toBe(before.epoch + 1);
    expect(computedSince(before.computes, after.computes)).toEqual(once(["L", "J", ...backwardCells]));
  });

  it("changing W2 leaves Z1 and A1 alone", () => {
    const { rt, values } = observed();
    const before = rt.stats().computes;
    rt.set({ W2: perturbed(values.get("W2")!, 0.1) });
    expect(computedSince(before, rt.stats().computes)).toEqual(once(["Z2", "A2", "L", "J", ...backwardCells]));
  });

  it("changing b1 recomputes the whole forward pass and every observed gradient, each once", () => {
    const { rt, values } = observed();
    const before = rt.stats().computes;
    rt.set({ b1: perturbed(values.get("b1")!, 0.1) });
    expect(computedSince(before, rt.stats().computes)).toEqual(once(["Z1", "A1", "Z2", "A2", "L", "J", ...backwardCells]));
  });

  it("a transaction changing X, W1 and Y still computes every cell once", () => {
    const { rt, values } = observed();
    const before = rt.stats();
    rt.transaction(() => {
      rt.set({ X: perturbed(values.get("X")!, 0.2) });
      rt.set({ W1: perturbed(values.get("W1")!, 0.1), Y: tensor(1, M, values.get("Y")!.data.map((y) => 1 - y)) });
    });
    const after = rt.stats();
    expect(after.epoch).toBe(before.epoch + 1);
    expect(computedSince(before.computes, after.computes)).toEqual(once(["Z1", "A1", "Z2", "A2", "L", "J", ...backwardCells]));
  });

  it("with every value and gradient observed, changing W2 computes exactly its cone, each cell once", () => {
    const { values } = randomBindings(graph, M, 4);
    const rt = createRuntime(graph, { inputs: { X: values.get("X")!, Y: values.get("Y")! } });
    const ids = [...graph.inputs, ...graph.params, ...graph.nodes].map((d) => d.id);
    for (const id of ids) rt.value$(id).subscribe(), rt.grad$(id).subscribe();
    const before = rt.stats().computes;
    rt.set({ W2: perturbed(rt.snapshot().values.W2, 0.1) });
    // dJ/dX and dJ/dY now too: dJ/dX = W1ᵀ·dZ1 needs dZ1; dJ/dY reads A2 through the bce backward.
    expect(computedSince(before, rt.stats().computes)).toEqual(once(["Z2", "A2", "L", "J", ...backwardCells, "grad:X", "grad:Y"]));
  });
});
