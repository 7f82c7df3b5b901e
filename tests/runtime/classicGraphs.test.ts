/**
 * The classic reactive-graph cases, as Preact signals, the TC39 signals polyfill and Jane Street's
 * Incremental test them, ported to graphs of [1,1] nodes: each join computed once, emissions in
 * topological order, unobserved nodes never computed, stale values dropped. Expected values are the same
 * arithmetic done by hand in plain JavaScript.
 */
import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { computedSince, graphOf, record, sc } from "./runtimeHarness.ts";

const header = (nodes: string) => `
gradstream: 1
name: classic
inputs:
  a: { shape: [1, 1] }
params:
  k1: { shape: [1, 1], init: zeros }
  k2: { shape: [1, 1], init: zeros }
nodes:
${nodes}`;

const diamond = header(`
  b: { op: add, in: [a, k1] }
  c: { op: mul, in: [a, k2] }
  d: { op: add, in: [b, c] }
  e: { op: mul, in: [d, k2] }
loss: e
`);

// b is one step from a, d two: the join e sees branches of unequal depth; f and g are tails of e.
const jagged = header(`
  b: { op: add, in: [a, k1] }
  c: { op: mul, in: [a, k2] }
  d: { op: add, in: [c, k1] }
  e: { op: add, in: [b, d] }
  f: { op: mul, in: [e, k2] }
  g: { op: add, in: [e, k1] }
loss: f
`);

const init = { inputs: { a: sc(1) }, params: { k1: sc(10), k2: sc(3) } };

describe("diamond", () => {
  it("computes the join once and emits it once per set", () => {
    const rt = createRuntime(graphOf(diamond), init);
    const d = record(rt, rt.value$("d"));
    const before = rt.stats().computes;
    rt.set({ a: sc(2) });
    expect(d.values).toEqual([1 + 10 + 1 * 3, 2 + 10 + 2 * 3]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, c: 1, d: 1 });
  });

  it("with a tail: the tail too is computed and emitted once", () => {
    const rt = createRuntime(graphOf(diamond), init);
    const e = record(rt, rt.value$("e"));
    const before = rt.stats().computes;
    rt.set({ a: sc(2) });
    rt.set({ a: sc(-1) });
    const ref = (a: number) => (a + 10 + a * 3) * 3;
    expect(e.values).toEqual([ref(1), ref(2), ref(-1)]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 2, c: 2, d: 2, e: 2 });
  });
});

describe("jagged diamond with tails", () => {
  it("computes every node once and emits each tail once", () => {
    const rt = createRuntime(graphOf(jagged), init);
    const f = record(rt, rt.value$("f"));
    const g = record(rt, rt.value$("g"));
    const before = rt.stats().computes;
    rt.set({ a: sc(4) });
    const e = (a: number) => a + 10 + (a * 3 + 10);
    expect(f.values).toEqual([e(1) * 3, e(4) * 3]);
    expect(g.values).toEqual([e(1) + 10, e(4) + 10]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, c: 1, d: 1, e: 1, f: 1, g: 1 });
  });
});

describe("topological order", () => {
  it("emits every observed node after the observed nodes it depends on, whatever the subscription order", () => {
    const rt = createRuntime(graphOf(jagged), init);
    const log: string[] = [];
    // Subscribed deepest first, so an engine that emitted in subscription order would fail.
    for (const id of ["g", "f", "e", "d", "c", "b", "a"]) record(rt, rt.value$(id), log, id);
    log.length = 0;
    rt.set({ a: sc(2) });
    expect(log).toHaveLength(7);
    const at = (id: string) => log.indexOf(id);
    const edges: [string, string][] = [["a", "b"], ["a", "c"], ["c", "d"], ["b", "e"], ["d", "e"], ["e", "f"], ["e", "g"]];
    for (const [from, to] of edges) expect(at(from), `${from} before ${to} in ${log.join(" ")}`).toBeLessThan(at(to));
  });
});

describe("3×3 lattice", () => {
  const lattice = header(`
  c0_0: { op: mul, in: [a, k2] }
  c0_1: { op: add, in: [c0_0, k1] }
  c0_2: { op: add, in: [c0_1, k1] }
  c1_0: { op: add, in: [c0_0, k1] }
  c2_0: { op: add, in: [c1_0, k1] }
  c1_1: { op: add, in: [c0_1, c1_0] }
  c1_2: { op: add, in: [c0_2, c1_1] }
  c2_1: { op: add, in: [c1_1, c2_0] }
  c2_2: { op: add, in: [c1_2, c2_1] }
loss: c2_2
`);
  const reference = (a: number) => {
    const c = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        c[i][j] = i === 0 && j === 0 ? a * 3 : i === 0 ? c[0][j - 1] + 10 : j === 0 ? c[i - 1][0] + 10 : c[i - 1][j] + c[i][j - 1];
    return c[2][2];
  };

  it("propagates once: each of the 9 cells computed once, the corner emitted once", () => {
    const rt = createRuntime(graphOf(lattice), init);
    const corner = record(rt, rt.value$("c2_2"));
    const before = rt.stats().computes;
    rt.set({ a: sc(5) });
    expect(corner.values).toEqual([reference(1), reference(5)]);
    const once = Object.fromEntries(["c0_0", "c0_1", "c0_2", "c1_0", "c1_1", "c1_2", "c2_0", "c2_1", "c2_2"].map((id) => [id, 1]));
    expect(computedSince(before, rt.stats().computes)).toEqual(once);
  });
});

describe("unobserved nodes", () => {
  it("are never computed, however often their sources change", () => {
    const rt = createRuntime(graphOf(jagged), init);
    const b = record(rt, rt.value$("b"));
    for (const v of [2, 3, 4]) rt.set({ a: sc(v) });
    const { computes } = rt.stats();
    expect(b.values).toEqual([11, 12, 13, 14]);
    expect(computes.b).toBe(4);
    for (const id of ["c", "d", "e", "f", "g"]) expect(computes[id], id).toBe(0);
    for (const [key, n] of Object.entries(computes)) if (key.startsWith("grad:")) expect(n, key).toBe(0);
  });

  it("a set with no subscriber at all computes nothing", () => {
    const rt = createRuntime(graphOf(jagged), init);
    rt.set({ a: sc(2) });
    rt.transaction(() => rt.set({ k1: sc(1), k2: sc(2) }));
    expect(Object.values(rt.stats().computes).every((n) => n === 0)).toBe(true);
    expect(rt.stats().epoch).toBe(2);
  });
});

describe("stale values are dropped", () => {
  it("A→B→A: a node reading a source directly and through another node is computed once (Preact)", () => {
    const rt = createRuntime(
      graphOf(`
gradstream: 1
name: aba
inputs:
  a: { shape: [1, 1] }
params:
  one: { shape: [1, 1], init: zeros }
nodes:
  b: { op: sub, in: [a, one] }
  c: { op: add, in: [a, b] }
  d: { op: identity, in: [c] }
loss: d
`),
      { inputs: { a: sc(2) }, params: { one: sc(1) } },
    );
    const d = record(rt, rt.value$("d"));
    const before = rt.stats().computes;
    rt.set({ a: sc(4) });
    expect(d.values).toEqual([2 + 1, 4 + 3]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, c: 1, d: 1 });
  });

  it("a value overwritten inside a transaction is never computed nor emitted", () => {
    const rt = createRuntime(graphOf(diamond), init);
    const a = record(rt, rt.value$("a"));
    const e = record(rt, rt.value$("e"));
    const before = rt.stats().computes;
    rt.transaction(() => {
      rt.set({ a: sc(5) });
      rt.set({ a: sc(6) });
    });
    expect(a.values).toEqual([1, 6]);
    expect(e.values).toEqual([(1 + 10 + 3) * 3, (6 + 10 + 18) * 3]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, c: 1, d: 1, e: 1 });
  });

  it("a node observed again after its sources moved on is brought up to date once, not replayed", () => {
    const rt = createRuntime(graphOf(diamond), init);
    record(rt, rt.value$("e")).sub.unsubscribe();
    const before = rt.stats().computes;
    for (const v of [2, 3, 4, 5]) rt.set({ a: sc(v) });
    expect(computedSince(before, rt.stats().computes)).toEqual({});
    const e = record(rt, rt.value$("e"));
    expect(e.values).toEqual([(5 + 10 + 15) * 3]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, c: 1, d: 1, e: 1 });
  });

  it("a node whose sources did not change while unobserved is not recomputed when observed again", () => {
    const rt = createRuntime(graphOf(diamond), init);
    record(rt, rt.value$("e")).sub.unsubscribe();
    rt.set({ k1: sc(0) }); // changes b, d, e but not c
    const before = rt.stats().computes;
    const c = record(rt, rt.value$("c"));
    const e = record(rt, rt.value$("e"));
    expect([c.values, e.values]).toEqual([[3], [(1 + 0 + 3) * 3]]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, d: 1, e: 1 });
  });
});
