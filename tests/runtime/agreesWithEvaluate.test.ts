/**
 * value$ and grad$ of one epoch agree bit for bit with a from-scratch forward/backward
 * (src/graph/evaluate.ts) of that epoch's inputs and params, on every shipped graph.
 */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { graphOf, sameBits, sc } from "./runtimeHarness.ts";

const dir = fileURLToPath(new URL("../../graphs/", import.meta.url));
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe("value$ and grad$ agree with a from-scratch evaluation", () => {
  it.each(files)("%s, over sets of inputs, params and both", async (file) => {
    const graph = await loadGraph(dir + file);
    const ids = [...graph.inputs, ...graph.params, ...graph.nodes].map((d) => d.id);
    const start = randomBindings(graph, 3, 11).values;
    const sourceIds = [...graph.inputs, ...graph.params].map((d) => d.id);
    const rt = createRuntime(graph, { inputs: Object.fromEntries(graph.inputs.map((d) => [d.id, start.get(d.id)!])), params: Object.fromEntries(graph.params.map((d) => [d.id, start.get(d.id)!])) });
    const lastValue = new Map<string, { t: Tensor; epoch: number }>();
    const lastGrad = new Map<string, { t: Tensor; epoch: number }>();
    for (const id of ids) {
      rt.value$(id).subscribe((t) => lastValue.set(id, { t, epoch: rt.stats().epoch }));
      rt.grad$(id).subscribe((t) => lastGrad.set(id, { t, epoch: rt.stats().epoch }));
    }
    const current = new Map(start);
    const check = () => {
      const values = forward(graph, current);
      const grads = backward(graph, values);
      for (const id of ids) {
        expect(sameBits(lastValue.get(id)!.t, values.get(id)!), `value of ${id} at epoch ${rt.stats().epoch}`).toBe(true);
        expect(sameBits(lastGrad.get(id)!.t, grads.get(id)!), `grad of ${id} at epoch ${rt.stats().epoch}`).toBe(true);
        expect(sameBits(rt.snapshot().grads[id], grads.get(id)!)).toBe(true);
      }
    };
    check();
    // Each round draws fresh values for a different subset of sources and sets them in one transaction.
    for (let round = 1; round <= 6; round++) {
      const fresh = randomBindings(graph, 3, 100 + round).values;
      const chosen = sourceIds.filter((_, i) => (i + round) % 3 !== 0 || round === 6);
      rt.transaction(() => {
        for (const id of chosen) rt.set({ [id]: fresh.get(id)! });
      });
      for (const id of chosen) current.set(id, fresh.get(id)!);
      check();
    }
  });

  it("sums a fan-out's gradient contributions in the reference's order (regression: they were summed in reverse)", () => {
    // dJ/dx = k1 + k2 + k3 in some order; with 1, 1e16 and −1e16 the order decides between 0 and 1.
    const graph = graphOf(`
gradstream: 1
name: fan
inputs:
  x: { shape: [1, 1] }
params:
  k1: { shape: [1, 1], init: zeros }
  k2: { shape: [1, 1], init: zeros }
  k3: { shape: [1, 1], init: zeros }
nodes:
  n1: { op: mul, in: [x, k1] }
  n2: { op: mul, in: [x, k2] }
  n3: { op: mul, in: [x, k3] }
  s: { op: add, in: [n1, n2] }
  t: { op: add, in: [s, n3] }
loss: t
`);
    const init = { inputs: { x: sc(1) }, params: { k1: sc(1), k2: sc(1e16), k3: sc(-1e16) } };
    const rt = createRuntime(graph, init);
    let dx: Tensor | undefined;
    rt.grad$("x").subscribe((t) => (dx = t));
    const reference = backward(graph, forward(graph, new Map(Object.entries(rt.snapshot().values)))).get("x")!;
    expect(dx!.data[0]).toBe(reference.data[0]);
    expect(sameBits(dx!, reference)).toBe(true);
  });
});
