/**
 * Transactions: transaction(fn) batches its sets into one epoch, nests (the outermost commits), and a
 * throwing fn applies nothing. Re-entrancy: a set from inside a subscriber runs as the next transaction,
 * after every emission of the current one, never interleaved with it.
 */
import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { computedSince, graphOf, record, sc } from "./runtimeHarness.ts";

const graph = graphOf(`
gradstream: 1
name: tx
inputs:
  a: { shape: [1, 1] }
params:
  k: { shape: [1, 1], init: zeros }
nodes:
  b: { op: add, in: [a, k] }
  c: { op: mul, in: [b, k] }
  d: { op: add, in: [c, a] }
loss: d
`);
const init = { inputs: { a: sc(1) }, params: { k: sc(2) } };
const d = (a: number, k: number) => (a + k) * k + a;

describe("transaction(fn)", () => {
  it("batches its sets into one epoch: each node computed and emitted once", () => {
    const rt = createRuntime(graph, init);
    const out = record(rt, rt.value$("d"));
    const before = rt.stats().computes;
    rt.transaction(() => {
      rt.set({ a: sc(3) });
      rt.set({ k: sc(5) });
    });
    expect(out.values).toEqual([d(1, 2), d(3, 5)]);
    expect(out.epochs).toEqual([0, 1]);
    expect(computedSince(before, rt.stats().computes)).toEqual({ b: 1, c: 1, d: 1 });
  });

  it("reads inside fn see the state before the transaction", () => {
    const rt = createRuntime(graph, init);
    const seen: number[] = [];
    rt.transaction(() => {
      rt.set({ a: sc(3) });
      seen.push(rt.snapshot().values.a.data[0], rt.stats().epoch);
    });
    expect(seen).toEqual([1, 0]);
    expect(rt.snapshot().values.a.data[0]).toBe(3);
  });

  it("nested: the inner transactions join the outermost one", () => {
    const rt = createRuntime(graph, init);
    const out = record(rt, rt.value$("d"));
    rt.transaction(() => {
      rt.set({ a: sc(3) });
      rt.transaction(() => {
        rt.set({ k: sc(4) });
        rt.transaction(() => rt.set({ a: sc(6) }));
      });
      expect(rt.stats().epoch).toBe(0);
    });
    expect(out.values).toEqual([d(1, 2), d(6, 4)]);
    expect(rt.stats().epoch).toBe(1);
  });

  it("a throwing fn applies nothing", () => {
    const rt = createRuntime(graph, init);
    const out = record(rt, rt.value$("d"));
    expect(() =>
      rt.transaction(() => {
        rt.set({ a: sc(3) });
        throw new Error("changed my mind");
      }),
    ).toThrow("changed my mind");
    expect(rt.stats().epoch).toBe(0);
    expect(out.values).toEqual([d(1, 2)]);
    rt.set({ k: sc(1) }); // the abandoned a = 3 does not leak into the next transaction
    expect(out.values).toEqual([d(1, 2), d(1, 1)]);
  });

  it("a nested fn that throws takes back only its own sets when the outer one catches (regression)", () => {
    const rt = createRuntime(graph, init);
    const out = record(rt, rt.value$("d"));
    rt.transaction(() => {
      rt.set({ a: sc(3) });
      try {
        rt.transaction(() => {
          rt.set({ a: sc(100), k: sc(100) });
          throw new Error("inner");
        });
      } catch {
        // the outer transaction goes on without the inner one's sets
      }
      rt.set({ k: sc(4) });
    });
    expect(out.values).toEqual([d(1, 2), d(3, 4)]);
  });

  it("a set({}) is no transaction", () => {
    const rt = createRuntime(graph, init);
    const snaps: number[] = [];
    rt.snapshot$.subscribe((s) => snaps.push(s.epoch));
    rt.set({});
    rt.transaction(() => {});
    expect([rt.stats().epoch, snaps]).toEqual([0, [0]]);
  });
});

describe("re-entrancy", () => {
  it("a set inside a subscriber runs as the next transaction, after every emission of the current one", () => {
    const rt = createRuntime(graph, init);
    const log: string[] = [];
    // b emits before d (it is lower); b's subscriber sets a while d has not yet been emitted.
    rt.value$("b").subscribe((t) => {
      log.push(`b=${t.data[0]}@${rt.stats().epoch}`);
      if (rt.stats().epoch === 1) {
        rt.set({ a: sc(10) });
        log.push(`set returned@${rt.stats().epoch}`);
      }
    });
    rt.value$("d").subscribe((t) => log.push(`d=${t.data[0]}@${rt.stats().epoch}`));
    rt.snapshot$.subscribe((s) => log.push(`snapshot a=${s.values.a.data[0]}@${s.epoch}`));
    log.length = 0;
    rt.set({ a: sc(2) });
    expect(log).toEqual([
      `b=${2 + 2}@1`,
      "set returned@1",
      `d=${d(2, 2)}@1`,
      "snapshot a=2@1",
      `b=${10 + 2}@2`,
      `d=${d(10, 2)}@2`,
      "snapshot a=10@2",
    ]);
  });

  it("several deferred sets run in order, one transaction each; a transaction() in a subscriber is deferred whole", () => {
    const rt = createRuntime(graph, init);
    const out = record(rt, rt.value$("d"));
    let fired = false;
    rt.value$("a").subscribe(() => {
      if (fired || rt.stats().epoch !== 1) return;
      fired = true;
      rt.set({ a: sc(5) });
      rt.transaction(() => {
        rt.set({ a: sc(6) });
        rt.set({ k: sc(3) });
      });
      rt.set({ k: sc(1) });
    });
    rt.set({ a: sc(4) });
    expect(out.epochs).toEqual([0, 1, 2, 3, 4]);
    expect(out.values).toEqual([d(1, 2), d(4, 2), d(5, 2), d(6, 3), d(6, 1)]);
  });
});
