/**
 * Lifecycle: dispose() completes every stream, unsubscribes what connect() subscribed to, and leaves
 * nothing behind: 10⁴ create/subscribe/dispose cycles end with zero live subscriptions, the runtimes
 * are garbage-collected, and the heap does not grow with the number of cycles.
 */
import { describe, expect, it } from "vitest";
import { Observable, finalize } from "rxjs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { createRuntime, type Runtime } from "../../src/runtime/createRuntime.ts";
import { GradstreamError } from "../../src/errors.ts";
import type { TensorLike } from "../../src/tensor/tensor.ts";

const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));
// The leak test cycles through the smallest shipped graph: what it checks does not depend on the size.
const small = await loadGraph(fileURLToPath(new URL("../../graphs/logistic-regression.yaml", import.meta.url)));

/** A source that counts who is subscribed to it. */
function countingSource(values: TensorLike[]) {
  const count = { subscribed: 0, unsubscribed: 0 };
  const source$ = new Observable<TensorLike>((subscriber) => {
    count.subscribed++;
    for (const v of values) subscriber.next(v);
    return () => count.unsubscribed++;
  });
  return { source$, count };
}

/** Subscribes to every kind of stream through finalize() counters. */
function subscribeAll(rt: Runtime, count: { live: number; completed: number }, [a, b]: string[] = ["W1", "b2"]) {
  const streams = [rt.value$("J"), rt.value$("X"), rt.grad$(a), rt.grad$(b), rt.snapshot$, rt.errors$];
  for (const s of streams) {
    count.live++;
    (s as Observable<unknown>).pipe(finalize(() => count.live--)).subscribe({ complete: () => count.completed++ });
  }
  return streams.length;
}

describe("dispose()", () => {
  it("completes every stream, unsubscribes connected sources and refuses further use", () => {
    const rt = createRuntime(graph, { m: 3 });
    const count = { live: 0, completed: 0 };
    const n = subscribeAll(rt, count);
    const { source$, count: src } = countingSource([[[1, 0, 1]]]);
    rt.connect("Y", source$);
    expect([count.live, src.subscribed, src.unsubscribed]).toEqual([n, 1, 0]);
    rt.dispose();
    expect(count).toEqual({ live: 0, completed: n });
    expect(src.unsubscribed).toBe(1);
    for (const use of [() => rt.set({ b2: [[1]] }), () => rt.snapshot(), () => rt.transaction(() => {}), () => rt.connect("X", source$)]) {
      expect(use).toThrow(GradstreamError);
    }
    expect(src.subscribed).toBe(1);
    // a stream subscribed after dispose completes at once, with no value
    const late: string[] = [];
    rt.value$("J").subscribe({ next: () => late.push("next"), complete: () => late.push("complete") });
    rt.snapshot$.subscribe({ next: () => late.push("next"), complete: () => late.push("complete") });
    expect(late).toEqual(["complete", "complete"]);
    rt.dispose(); // twice is harmless
  });

  it("from inside a subscriber stops the transaction's remaining emissions and its deferred sets", () => {
    const rt = createRuntime(graph, { m: 3 });
    const log: string[] = [];
    let z1 = 0;
    rt.value$("Z1").subscribe(() => {
      log.push("Z1");
      if (++z1 === 2) {
        rt.set({ b2: [[7]] }); // deferred, then dropped by dispose
        rt.dispose();
      }
    });
    rt.value$("J").subscribe({ next: () => log.push("J"), complete: () => log.push("J complete") });
    rt.set({ b1: [[1], [2], [3], [4]] });
    expect(log).toEqual(["Z1", "J", "Z1", "J complete"]);
  });
});

describe("no leaks", () => {
  it("10⁴ create/subscribe/set/dispose cycles: zero live subscriptions, runtimes collected, heap bounded", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const count = { live: 0, completed: 0 };
    const { source$, count: src } = countingSource([[[0, 1, 1]]]);
    const refs: WeakRef<Runtime>[] = [];
    const cycle = (i: number) => {
      const rt = createRuntime(small, { m: 3, seed: i });
      subscribeAll(rt, count, ["w", "b"]);
      rt.connect("Y", source$);
      rt.set({ b: [[i]] });
      rt.dispose();
      if (i % 100 === 0) refs.push(new WeakRef(rt));
    };
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 0)); // WeakRef targets are kept alive until the job ends
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    for (let i = 0; i < 1000; i++) cycle(i);
    const warm = await settle();
    for (let i = 1000; i < 10_000; i++) cycle(i);
    const end = await settle();
    expect(count.live).toBe(0);
    expect(count.completed).toBe(10_000 * 6);
    expect(src).toEqual({ subscribed: 10_000, unsubscribed: 10_000 });
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    // 9000 runtimes kept alive would be tens of MB; allow 4 MB of noise (JIT code, allocator slack).
    expect(end - warm).toBeLessThan(4 * 1024 * 1024);
  });
});
