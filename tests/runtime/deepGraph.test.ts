/**
 * A graph far deeper than the call stack (a chain of 10⁴ nodes): building the runtime, subscribing at the
 * tail, the gradient at the head and a set all work, because the runtime walks cells with explicit stacks
 * (regression: recursive activation overflowed the stack on the first subscription).
 */
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { sc } from "./runtimeHarness.ts";

describe("deep graphs", () => {
  it("a chain of 10⁴ nodes: values and the gradient through all of it", () => {
    const N = 10_000;
    const nodes: Record<string, unknown> = {};
    for (let i = 1; i <= N; i++) nodes[`n${i}`] = { op: "add", in: [i === 1 ? "a" : `n${i - 1}`, "k"] };
    const file = { gradstream: 1, name: "deep", inputs: { a: { shape: [1, 1] } }, params: { k: { shape: [1, 1], init: "zeros" } }, nodes, loss: `n${N}` };
    const rt = createRuntime(parseGraph(JSON.stringify(file), "json"), { inputs: { a: sc(1) }, params: { k: sc(1) } });
    const tail: number[] = [];
    const da: number[] = [];
    const dk: number[] = [];
    rt.value$(`n${N}`).subscribe((t) => tail.push(t.data[0]));
    rt.grad$("a").subscribe((t) => da.push(t.data[0]));
    rt.grad$("k").subscribe((t) => dk.push(t.data[0]));
    rt.set({ a: sc(2) });
    // n_N = a + N·k, so dJ/da = 1 and dJ/dk = N (recomputed, and so emitted again, since a feeds them)
    expect(tail).toEqual([1 + N, 2 + N]);
    expect(da).toEqual([1, 1]);
    expect(dk).toEqual([N, N]);
    expect(rt.stats().computes[`n${N}`]).toBe(2);
  });
});
