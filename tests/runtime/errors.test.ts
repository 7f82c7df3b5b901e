/**
 * Errors reject the whole transaction: a set with a wrong shape, or a computation that throws, names the
 * node, applies nothing (no emission, no epoch, no compute counted), and the last good state stays live,
 * consistent and usable.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { GradstreamError } from "../../src/errors.ts";
import { registerOp } from "../../src/ops/registry.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { tensor, type Tensor } from "../../src/tensor/tensor.ts";
import type { OpDef } from "../../src/ops/op.ts";
import { graphOf, record, sameBits, sc } from "./runtimeHarness.ts";

// A test-only op that fails past a threshold: forward when its operand exceeds 100, backward when its
// operand is below -100 (so one value can make the forward pass succeed and the backward pass fail).
const fragile: OpDef = {
  name: "fragile_test_op",
  kind: "elementwise",
  operands: ["A"],
  columnwise: true,
  shape: ([a]) => a,
  forward: ([a]) => {
    if (a.data[0] > 100) throw new Error("operand above 100");
    return tensor(a.shape[0], a.shape[1], a.data.map((v) => 2 * v));
  },
  backward: [
    ({ inputs: [a], grad }) => {
      if (a.data[0] < -100) throw new Error("operand below -100");
      return tensor(grad.shape[0], grad.shape[1], grad.data.map((g) => 2 * g));
    },
  ],
  explain: { forward: "{out} = 2·{0}", backward: ["2·{g}"] },
};
const unregister = registerOp(fragile);
afterAll(unregister);

const graph = graphOf(`
gradstream: 1
name: fragile
inputs:
  a: { shape: [1, m] }
params:
  k: { shape: [1, 1], init: zeros }
nodes:
  b: { op: add, in: [a, k] }
  c: { op: fragile_test_op, in: [b] }
  d: { op: mul, in: [c, k] }
  J: { op: mean, in: [d] }
loss: J
`);

function setup() {
  const rt = createRuntime(graph, { inputs: { a: [[1, 2]] }, params: { k: sc(3) } });
  const b = record(rt, rt.value$("b"));
  const J = record(rt, rt.value$("J"));
  const dk = record(rt, rt.grad$("k"));
  return { rt, b, J, dk };
}

function expectConsistent(rt: ReturnType<typeof createRuntime>) {
  const s = rt.snapshot();
  const values = forward(graph, new Map([["a", s.values.a], ["k", s.values.k]]));
  const grads = backward(graph, values);
  for (const id of ["a", "k", "b", "c", "d", "J"]) {
    expect(sameBits(s.values[id], values.get(id)!), id).toBe(true);
    expect(sameBits(s.grads[id], grads.get(id)!), `grad ${id}`).toBe(true);
  }
}

function thrown(fn: () => void): GradstreamError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    return e as GradstreamError;
  }
  throw new Error("expected a throw");
}

describe("a set with a wrong shape", () => {
  it("throws a GradstreamError naming the node and applies nothing", () => {
    const { rt, b, J, dk } = setup();
    const snap = rt.snapshot();
    const before = rt.stats();
    const e = thrown(() => rt.set({ k: [[1, 2]] }));
    expect(e.code).toBe("DATA_INVALID");
    expect(e.issues.map((i) => i.node)).toContain("k");
    expect(e.message).toContain("'k' should be [1,1], got [1,2]");
    expect(rt.stats()).toEqual(before);
    expect(rt.snapshot()).toBe(snap);
    expect([b.values.length, J.values.length, dk.values.length]).toEqual([1, 1, 1]);
    rt.set({ k: sc(4) });
    expect(b.values).toEqual([4, 5]);
    expectConsistent(rt);
  });

  it("in a multi-source set, the good values are not applied either", () => {
    const { rt, b } = setup();
    const e = thrown(() => rt.set({ k: sc(5), a: [[1, 2], [3, 4]] }));
    expect(e.issues.map((i) => i.node)).toEqual(["a"]);
    expect(rt.snapshot().values.k.data[0]).toBe(3);
    expect(b.values).toEqual([4]);
  });

  it("a batch size that disagrees with the other inputs is refused; a new m for all inputs is taken", () => {
    const two = graphOf(`
gradstream: 1
name: two
inputs:
  x: { shape: [1, m] }
  y: { shape: [1, m] }
nodes:
  s: { op: add, in: [x, y] }
  J: { op: mean, in: [s] }
loss: J
`);
    const rt = createRuntime(two, { inputs: { x: [[1, 2]], y: [[3, 4]] } });
    const J = record(rt, rt.value$("J"));
    const e = thrown(() => rt.set({ x: [[1, 2, 3]] }));
    expect(e.message).toContain("'x' has 3 samples (columns), 'y' has 2: m must agree");
    expect(e.issues[0].node).toBe("x");
    const both = thrown(() => rt.set({ x: [[1, 2, 3]], y: [[1, 2, 3, 4]] }));
    expect(both.issues.map((i) => i.node)).toEqual(["y"]);
    rt.set({ x: [[1, 2, 3]], y: [[0, 0, 0]] });
    expect(J.values).toEqual([5, 2]);
  });

  it("setting a computed node, an unknown id or a non-number is refused, naming it", () => {
    const { rt } = setup();
    expect(thrown(() => rt.set({ b: [[1, 1]] })).issues[0].node).toBe("b");
    expect(thrown(() => rt.set({ nope: sc(1) })).issues[0].node).toBe("nope");
    expect(thrown(() => rt.set({ k: [["x" as unknown as number]] })).issues[0].node).toBe("k");
    const ragged: Tensor = { shape: [1, 3], data: new Float64Array(2) };
    expect(thrown(() => rt.set({ a: ragged })).issues[0].node).toBe("a");
    expect(rt.stats().epoch).toBe(0);
  });
});

describe("a computation error", () => {
  it("rejects the whole transaction, naming the node, and the runtime keeps working", () => {
    const { rt, b, J, dk } = setup();
    const snap = rt.snapshot();
    const before = rt.stats();
    // b = a + k is computed first and succeeds; c fails: b's new value must not survive or be emitted.
    const e = thrown(() => rt.set({ a: [[200, 1]] }));
    expect(e.code).toBe("COMPUTE");
    expect(e.issues[0].node).toBe("c");
    expect(e.message).toContain("operand above 100");
    expect(rt.stats()).toEqual(before);
    expect(rt.snapshot()).toBe(snap);
    expect(rt.snapshot().values.a.data[0]).toBe(1);
    expect([b.values, J.values.length, dk.values.length]).toEqual([[4], 1, 1]);
    expectConsistent(rt);

    rt.set({ a: [[7, 8]] });
    expect(b.values).toEqual([4, 10]);
    expect(J.values).toEqual([((4 + 5) * 2 * 3) / 2, ((10 + 11) * 2 * 3) / 2]);
    expect(rt.stats().epoch).toBe(1);
    expect(rt.stats().computes.b).toBe(before.computes.b + 1);
    expectConsistent(rt);
  });

  it("in the backward pass names the consumer whose gradient failed", () => {
    const { rt, J } = setup();
    const e = thrown(() => rt.set({ a: [[-500, 1]] }));
    expect(e.issues[0].node).toBe("c");
    expect(e.message).toContain("backward failed: operand below -100");
    expect(J.values).toHaveLength(1);
    expect(rt.stats().epoch).toBe(0);
    rt.set({ a: [[0, 0]] });
    expect(J.values).toEqual([(4 + 5) * 3, 3 * 2 * 3]);
  });

  it("inside transaction(fn) throws from transaction and applies none of its sets", () => {
    const { rt, b } = setup();
    expect(() => rt.transaction(() => rt.set({ k: sc(0), a: [[150, 150]] }))).toThrow(/operand above 100/);
    expect(rt.snapshot().values.k.data[0]).toBe(3);
    expect(b.values).toEqual([4]);
  });

  it("of a transaction with no caller (a set from a subscriber) goes to errors$, the state stays good", () => {
    const { rt, J } = setup();
    const errors: GradstreamError[] = [];
    rt.errors$.subscribe((e) => errors.push(e));
    const sub = rt.value$("b").subscribe((t) => {
      if (t.data[0] === 10) rt.set({ a: [[500, 500]] }); // deferred: runs after this transaction, and fails
    });
    rt.set({ a: [[7, 8]] });
    sub.unsubscribe();
    expect(errors.map((e) => [e.code, e.issues[0].node])).toEqual([["COMPUTE", "c"]]);
    expect(rt.stats().epoch).toBe(1);
    expect(J.values).toHaveLength(2);
    expectConsistent(rt);
  });

  it("when subscribing to a node whose computation fails, errors that subscriber only", () => {
    const rt = createRuntime(graph, { inputs: { a: [[300, 1]] }, params: { k: sc(3) } });
    const J = record(rt, rt.value$("J"));
    const b = record(rt, rt.value$("b"));
    expect(J.errors).toHaveLength(1);
    expect((J.errors[0] as GradstreamError).issues[0].node).toBe("c");
    expect(b.values).toEqual([303]);
    rt.set({ a: [[1, 1]] });
    expect(b.values).toEqual([303, 4]);
    expect(record(rt, rt.value$("J")).values).toEqual([((4 + 4) * 2 * 3) / 2]);
  });
});
