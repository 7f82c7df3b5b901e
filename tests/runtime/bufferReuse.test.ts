/**
 * The runtime writes computed values into buffers it reuses from one transaction to the next, and only
 * where nothing else holds them: a value that was emitted, returned on subscribe or put in a snapshot is
 * never written again, and a failing transaction never writes into the values it rolls back to. A
 * test-only op records every output buffer the runtime hands it, so the reuse is observed directly.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { registerOp } from "../../src/ops/registry.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { getOp } from "../../src/ops/registry.ts";
import { type Tensor, fromNested, output } from "../../src/tensor/tensor.ts";
import type { OpDef } from "../../src/ops/op.ts";
import type { Snapshot } from "../../src/runtime/snapshot.ts";
import { graphOf, sameBits } from "./runtimeHarness.ts";

/** Buffers handed to the probe's forward and backward, in order. */
let forwardBuffers: (Tensor | undefined)[] = [];
let backwardBuffers: (Tensor | undefined)[] = [];
/** Every buffer handed to the probe and every tensor a test was handed by the runtime, in order. */
let events: { handedOut: boolean; t: Tensor | undefined }[] = [];
beforeEach(() => {
  forwardBuffers = [];
  backwardBuffers = [];
  events = [];
});
const handedOut = (t: Tensor) => events.push({ handedOut: true, t });
/** Buffers the probe was given to write into after the runtime had handed the same tensor out. */
const writtenAfterHandedOut = () => {
  const out = new Set<Tensor>();
  return events.filter((e) => (e.handedOut ? (out.add(e.t!), false) : e.t !== undefined && out.has(e.t)));
};

// tanh, recording the buffers; its forward fails when its operand's first entry is above 100.
const tanh = getOp("tanh")!;
const probe: OpDef = {
  ...tanh,
  name: "probe_test_op",
  scalar: undefined,
  forward: (inputs, attrs, out) => {
    forwardBuffers.push(out);
    events.push({ handedOut: false, t: out });
    if (inputs[0].data[0] > 100) throw new Error("probe refuses more than 100");
    return tanh.forward(inputs, attrs, out);
  },
  backward: [
    (ctx, out) => {
      backwardBuffers.push(out);
      events.push({ handedOut: false, t: out });
      return tanh.backward[0](ctx, out);
    },
  ],
};
afterAll(registerOp(probe));

const graph = graphOf(`
gradstream: 1
name: reuse
inputs:
  X: { shape: [2, m] }
  Y: { shape: [2, m] }
params:
  W: { shape: [2, 2], init: zeros }
nodes:
  Z: { op: matmul, in: [W, X] }
  A: { op: probe_test_op, in: [Z] }
  L: { op: mse, in: [A, Y] }
  J: { op: mean, in: [L] }
loss: J
`);

const X = (v: number) => fromNested([[v, 0.5, -1], [2, v / 3, 0.25]]) as Tensor;
const Y = fromNested([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]) as Tensor;
const W = fromNested([[0.5, -0.3], [0.8, 0.1]]) as Tensor;
const start = () => createRuntime(graph, { inputs: { X: X(1), Y }, params: { W } });
const copy = (t: Tensor) => Float64Array.from(t.data);

/** The from-scratch value and gradient of A for inputs X(v). */
function reference(v: number): { A: Tensor; dZ: Tensor } {
  const values = forward(graph, new Map([["X", X(v)], ["Y", Y], ["W", W]]));
  return { A: values.get("A")!, dZ: backward(graph, values).get("Z")! };
}

describe("buffer reuse", () => {
  it("an unobserved node is computed in the same two buffers, alternating, transaction after transaction", () => {
    const rt = start();
    rt.grad$("W").subscribe(); // keeps A, and the gradient through it, live; A itself is not observed
    for (let v = 2; v <= 6; v++) rt.set({ X: X(v) });
    // The first compute (on subscribe) and the second get new buffers; from then on the two alternate.
    const [first, second, ...rest] = forwardBuffers;
    expect(forwardBuffers).toHaveLength(6);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(rest).toEqual([first, second, first, second]);
    rest.forEach((b, i) => expect(b).toBe(i % 2 === 0 ? first : second));
    // The gradient through the probe is reused the same way.
    expect(backwardBuffers[2]).toBe(backwardBuffers[0]);
    expect(backwardBuffers[3]).toBe(backwardBuffers[1]);
    // And the numbers are the from-scratch ones, bit for bit.
    expect(sameBits(rt.snapshot().grads.Z, reference(6).dZ)).toBe(true);
    rt.dispose();
  });

  it("a subscriber that keeps every emitted tensor still sees its numbers after later transactions, and none is written again", () => {
    const rt = start();
    const kept: { t: Tensor; numbers: Float64Array }[] = [];
    rt.value$("A").subscribe((t) => (handedOut(t), kept.push({ t, numbers: copy(t) })));
    const gradsKept: { t: Tensor; numbers: Float64Array }[] = [];
    rt.grad$("Z").subscribe((t) => (handedOut(t), gradsKept.push({ t, numbers: copy(t) })));
    for (let v = 2; v <= 6; v++) rt.set({ X: X(v) });
    expect(kept).toHaveLength(6);
    for (const [i, k] of kept.entries()) {
      expect(Array.from(k.t.data), `emission ${i}`).toEqual(Array.from(k.numbers));
      expect(sameBits(k.t, reference(i + 1).A)).toBe(true);
    }
    for (const k of gradsKept) expect(Array.from(k.t.data)).toEqual(Array.from(k.numbers));
    // No buffer handed to the op to write was one a subscriber had been given.
    expect(new Set(kept.map((k) => k.t)).size).toBe(6);
    expect(writtenAfterHandedOut()).toEqual([]);
    rt.dispose();
  });

  it("a snapshot taken earlier does not change, and its tensors are never handed to an op to write", () => {
    const rt = start();
    rt.grad$("W").subscribe();
    rt.set({ X: X(2) });
    const early: Snapshot = rt.snapshot();
    for (const t of [...Object.values(early.values), ...Object.values(early.grads)]) handedOut(t);
    const numbers = new Map([...Object.entries(early.values), ...Object.entries(early.grads).map(([id, t]) => [`grad:${id}`, t] as const)].map(([id, t]) => [id, copy(t)]));
    for (let v = 3; v <= 7; v++) rt.set({ X: X(v) });
    for (const [id, t] of Object.entries(early.values)) expect(Array.from(t.data), id).toEqual(Array.from(numbers.get(id)!));
    for (const [id, t] of Object.entries(early.grads)) expect(Array.from(t.data), `grad ${id}`).toEqual(Array.from(numbers.get(`grad:${id}`)!));
    expect(writtenAfterHandedOut()).toEqual([]);
    expect(sameBits(early.values.A, reference(2).A)).toBe(true);
    rt.dispose();
  });

  it("a failing transaction leaves the last good values, bit for bit, and the next good one computes right", () => {
    const rt = start();
    rt.grad$("W").subscribe();
    for (let v = 2; v <= 4; v++) rt.set({ X: X(v) });
    const before = rt.snapshot();
    expect(() => rt.set({ X: X(1000) })).toThrow(/probe refuses more than 100/);
    const after = rt.snapshot();
    expect(after.epoch).toBe(before.epoch);
    expect(after.values.A).toBe(before.values.A);
    expect(sameBits(after.values.A, reference(4).A)).toBe(true);
    // Good transactions after the failure, through the buffers the failed one wrote into.
    for (let v = 5; v <= 8; v++) {
      rt.set({ X: X(v) });
      expect(sameBits(rt.snapshot().values.A, reference(v).A), `X(${v})`).toBe(true);
      expect(sameBits(rt.snapshot().grads.Z, reference(v).dZ), `X(${v})`).toBe(true);
    }
    expect(sameBits(before.values.A, reference(4).A)).toBe(true);
    rt.dispose();
  });

  it("the check above fails for a runtime that writes into a tensor it has handed out", () => {
    // What the check would see if the runtime reused an emitted tensor: the same object handed out, then written.
    const t = fromNested([[1]]) as Tensor;
    events = [{ handedOut: false, t }, { handedOut: true, t }, { handedOut: false, t }];
    expect(writtenAfterHandedOut()).toEqual([{ handedOut: false, t }]);
  });

  it("a borrowing subscriber's tensors are reused (two buffers, alternating); one that keeps them stops that", () => {
    const rt = start();
    const borrowed: Tensor[] = [];
    const sub = rt.value$("A", { borrow: true }).subscribe((t) => {
      borrowed.push(t);
      expect(sameBits(t, reference(borrowed.length).A)).toBe(true); // right while it is being read
    });
    for (let v = 2; v <= 5; v++) rt.set({ X: X(v) });
    expect(borrowed).toHaveLength(5);
    expect(new Set(borrowed).size).toBe(2);
    expect(borrowed[2]).toBe(borrowed[0]);
    expect(borrowed[3]).toBe(borrowed[1]);
    // A second subscriber that keeps what it is handed: from now on nothing it holds is written again.
    const kept: { t: Tensor; numbers: Float64Array }[] = [];
    rt.value$("A").subscribe((t) => (handedOut(t), kept.push({ t, numbers: copy(t) })));
    for (let v = 6; v <= 9; v++) rt.set({ X: X(v) });
    for (const k of kept) expect(Array.from(k.t.data)).toEqual(Array.from(k.numbers));
    expect(writtenAfterHandedOut()).toEqual([]);
    expect(new Set(kept.map((k) => k.t)).size).toBe(5);
    sub.unsubscribe();
    rt.dispose();
  });

  it("a new batch size gets buffers of the new shape", () => {
    const rt = start();
    rt.grad$("W").subscribe();
    rt.set({ X: X(2) });
    const wide = { X: fromNested([[1, 2, 3, 4], [5, 6, 7, 8]]) as Tensor, Y: fromNested([[0, 0, 0, 0], [1, 1, 1, 1]]) as Tensor };
    rt.set(wide);
    rt.set(wide);
    const shapes = forwardBuffers.map((b) => b?.shape.join("×"));
    expect(shapes).toEqual(["2×3", "2×3", "2×4", "2×4"]);
    const values = forward(graph, new Map([["X", wide.X], ["Y", wide.Y], ["W", W]]));
    expect(sameBits(rt.snapshot().values.A, values.get("A")!)).toBe(true);
    rt.dispose();
  });

  it("an op that ignores the buffer and returns its own tensor works, and that tensor is never handed back", () => {
    const own: OpDef = { ...probe, name: "own_buffer_test_op", forward: (inputs, attrs) => tanh.forward(inputs, attrs) };
    const unregister = registerOp(own);
    try {
      const g = graphOf(`
gradstream: 1
name: own
inputs: { X: { shape: [2, m] }, Y: { shape: [2, m] } }
nodes:
  A: { op: own_buffer_test_op, in: [X] }
  L: { op: mse, in: [A, Y] }
  J: { op: mean, in: [L] }
loss: J
`);
      const rt = createRuntime(g, { inputs: { X: X(1), Y } });
      const values: Tensor[] = [];
      rt.value$("A").subscribe((t) => values.push(t));
      for (let v = 2; v <= 4; v++) rt.set({ X: X(v) });
      values.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(tanh.forward([X(i + 1)], {}).data)));
      expect(new Set(values).size).toBe(4);
      rt.dispose();
    } finally {
      unregister();
    }
  });
});

// `output` is what ops use to honour a buffer: the given one when its shape fits, else a new one.
describe("output()", () => {
  it("returns the buffer of the right shape, and a new zeroed tensor otherwise", () => {
    const buffer = fromNested([[1, 2, 3]]) as Tensor;
    expect(output(buffer, 1, 3)).toBe(buffer);
    const other = output(buffer, 3, 1);
    expect(other).not.toBe(buffer);
    expect(other.shape).toEqual([3, 1]);
    expect(Array.from(other.data)).toEqual([0, 0, 0]);
    expect(output(undefined, 2, 2).shape).toEqual([2, 2]);
  });
});
