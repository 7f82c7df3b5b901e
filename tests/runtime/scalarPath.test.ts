/**
 * The runtime computes [1,1] nodes of elementwise ops through the op's `scalar` function instead of its
 * tensor loop. That is only sound if `scalar` equals `forward` bit for bit on [1,1] operands, for every
 * op that has one: checked here over random and awkward numbers (±0, subnormals, huge, ±∞ inputs).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { allOps } from "../../src/ops/registry.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { graphOf, sameBits, sc } from "./runtimeHarness.ts";

const withScalar = allOps().filter((op) => op.scalar);
const awkward = [0, -0, 5e-324, -5e-324, 1e308, -1e308, 1, -1, 0.5, 700, -700, 20, -20, Infinity, -Infinity];

describe("op.scalar agrees with op.forward on [1,1] operands", () => {
  it("the elementwise ops have one", () => {
    expect(withScalar.map((op) => op.name).sort()).toEqual(expect.arrayContaining(["add", "identity", "leaky_relu", "mul", "relu", "sigmoid", "sub", "tanh"]));
  });

  it.each(withScalar.map((op) => [op.name, op] as const))("%s", (_name, op) => {
    const attrsFor = (alpha: number) => (op.attrs ? { alpha } : {});
    const check = (a: number, b: number, alpha: number) => {
      const attrs = attrsFor(alpha);
      const operands = op.operands.length === 1 ? [tensor(1, 1, Float64Array.of(a))] : [tensor(1, 1, Float64Array.of(a)), tensor(1, 1, Float64Array.of(b))];
      const viaForward = op.forward(operands, attrs);
      const viaScalar = tensor(1, 1, Float64Array.of(op.scalar!(a, b, attrs)));
      return sameBits(viaForward, viaScalar);
    };
    for (const a of awkward) for (const b of awkward) expect(check(a, b, 0.01), `${a}, ${b}`).toBe(true);
    fc.assert(fc.property(fc.double(), fc.double(), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, alpha) => check(a, b, alpha)), { numRuns: 300 });
  });
});

describe("the scalar path in the runtime", () => {
  it("gives the from-scratch values on [1,1] nodes and the tensor path on larger ones, in one graph", () => {
    // c is [1,1] (scalar path); d = c broadcast onto a [1,3] row (tensor path); e reduces it back.
    const graph = graphOf(`
gradstream: 1
name: mixed
inputs:
  a: { shape: [1, 1] }
  r: { shape: [1, 3] }
params:
  k: { shape: [1, 1], init: zeros }
nodes:
  b: { op: leaky_relu, in: [a], alpha: 0.2 }
  c: { op: mul, in: [b, k] }
  d: { op: add, in: [r, c] }
  e: { op: mean, in: [d] }
  f: { op: sigmoid, in: [e] }
loss: f
`);
    const rt = createRuntime(graph, { inputs: { a: sc(-3), r: [[1, 2, 3]] }, params: { k: sc(0.7) } });
    for (const id of ["c", "d", "f"]) rt.value$(id).subscribe();
    for (const a of [-3, 2.5, -0.125]) {
      rt.set({ a: sc(a) });
      const s = rt.snapshot();
      const values = forward(graph, new Map(["a", "r", "k"].map((id) => [id, s.values[id]])));
      const grads = backward(graph, values);
      for (const id of ["b", "c", "d", "e", "f"]) {
        expect(sameBits(s.values[id], values.get(id)!), id).toBe(true);
        expect(sameBits(s.grads[id], grads.get(id)!), `grad ${id}`).toBe(true);
      }
      expect(s.values.c.shape).toEqual([1, 1]);
      expect(s.values.d.shape).toEqual([1, 3]);
    }
  });
});
