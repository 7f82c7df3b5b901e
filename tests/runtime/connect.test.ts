/**
 * connect(id, source$) drives an input or param from any observable: each value is one transaction; a bad
 * value or a source error goes to errors$ and leaves the last good state; unsubscribing the returned
 * subscription (or dispose) lets go of the source.
 */
import { describe, expect, it } from "vitest";
import { Subject, from } from "rxjs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { randomInputs } from "../../src/data/randomInputs.ts";
import type { GradstreamError } from "../../src/errors.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { record, sameBits } from "./runtimeHarness.ts";

const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));

describe("connect", () => {
  it("drives an input from a Subject: one transaction per value", () => {
    const rt = createRuntime(graph, { m: 2 });
    const J = record(rt, rt.value$("J"));
    const b2 = new Subject<number[][]>();
    const sub = rt.connect("b2", b2);
    b2.next([[0.5]]);
    b2.next([[-0.5]]);
    expect(J.epochs).toEqual([0, 1, 2]);
    expect(rt.snapshot().values.b2.data[0]).toBe(-0.5);
    sub.unsubscribe();
    b2.next([[3]]);
    expect(rt.stats().epoch).toBe(2);
    expect(b2.observed).toBe(false);
  });

  it("drives X and Y from a stream of mini-batches (from(...)): the loss and gradients of every batch", () => {
    const batches = [1, 2, 3].map((seed) => randomInputs(graph, 4, seed));
    const rt = createRuntime(graph, { inputs: { X: batches[0].get("X")!, Y: batches[0].get("Y")! } });
    const J = record(rt, rt.value$("J"));
    const dW1 = record(rt, rt.grad$("W1"));
    // Each value is its own transaction; the batches share m, so X and Y may arrive one at a time.
    rt.connect("X", from(batches.map((b) => b.get("X")!)));
    rt.connect("Y", from(batches.map((b) => b.get("Y")!)));
    expect(rt.stats().epoch).toBe(6);
    const last = batches[2];
    const values = forward(graph, new Map([...Object.entries(rt.snapshot().values)].filter(([id]) => graph.kinds.get(id) !== "node")));
    expect(sameBits(values.get("X")!, last.get("X")!)).toBe(true);
    expect(sameBits(J.tensors.at(-1)!, values.get("J")!)).toBe(true);
    expect(sameBits(dW1.tensors.at(-1)!, backward(graph, values).get("W1")!)).toBe(true);
    expect(J.values).toHaveLength(7);
  });

  it("reports a bad value or a source error on errors$ and keeps the last good state", () => {
    const rt = createRuntime(graph, { m: 2 });
    const errors: GradstreamError[] = [];
    rt.errors$.subscribe((e) => errors.push(e));
    const J = record(rt, rt.value$("J"));
    const src = new Subject<number[][] | Tensor>();
    rt.connect("b2", src);
    src.next([[1]]);
    src.next([[1, 2]]);
    src.next([[2]]);
    src.error(new Error("sensor unplugged"));
    expect(errors.map((e) => [e.code, e.issues[0].node])).toEqual([["DATA_INVALID", "b2"], ["IO", "b2"]]);
    expect(errors[1].message).toContain("sensor unplugged");
    expect(J.epochs).toEqual([0, 1, 2]);
    expect(rt.snapshot().values.b2.data[0]).toBe(2);
  });

  it("refuses to connect a computed node or an unknown id, naming it", () => {
    const rt = createRuntime(graph, { m: 2 });
    expect(() => rt.connect("Z1", new Subject())).toThrow(/Z1.*computed node/);
    expect(() => rt.connect("Q", new Subject())).toThrow(/'Q' is not an input or param/);
  });
});
