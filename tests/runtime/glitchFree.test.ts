/**
 * Glitch-freedom: every emission belongs to one epoch, and a subscriber that reads anything during its
 * callback (snapshot(), another node by subscribing, a gradient) sees that same finished epoch. The
 * reference is a from-scratch forward/backward of the sources the snapshot holds.
 */
import { describe, expect, it } from "vitest";
import { take } from "rxjs";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import type { Snapshot } from "../../src/runtime/snapshot.ts";
import { graphOf, sameBits, sc } from "./runtimeHarness.ts";

const graph = graphOf(`
gradstream: 1
name: jagged
inputs:
  a: { shape: [1, 1] }
params:
  k1: { shape: [1, 1], init: zeros }
  k2: { shape: [1, 1], init: zeros }
nodes:
  b: { op: add, in: [a, k1] }
  c: { op: mul, in: [a, k2] }
  d: { op: tanh, in: [c] }
  e: { op: mul, in: [b, d] }
  f: { op: add, in: [e, k1] }
  g: { op: mul, in: [e, k2] }
  h: { op: add, in: [f, g] }
loss: h
`);
const sources = ["a", "k1", "k2"];
const nodes = graph.nodes.map((n) => n.id);

/** Problems found inside callbacks (an expect() thrown there would be swallowed by RxJS). */
function consistencyProblems(s: Snapshot): string[] {
  const problems: string[] = [];
  const values = forward(graph, new Map(sources.map((id) => [id, s.values[id]])));
  const grads = backward(graph, values);
  for (const id of [...sources, ...nodes]) {
    if (!sameBits(values.get(id)!, s.values[id])) problems.push(`epoch ${s.epoch}: value of ${id} is not its epoch's`);
    if (!sameBits(grads.get(id)!, s.grads[id])) problems.push(`epoch ${s.epoch}: grad of ${id} is not its epoch's`);
  }
  return problems;
}

function readNow(stream: import("rxjs").Observable<Tensor>): Tensor {
  let out: Tensor | undefined;
  stream.pipe(take(1)).subscribe((t) => (out = t));
  return out!;
}

describe("glitch-free emissions", () => {
  it("every callback sees the snapshot, other nodes and gradients of the epoch it was emitted in", () => {
    const rt = createRuntime(graph, { inputs: { a: sc(0.5) }, params: { k1: sc(2), k2: sc(-1.5) } });
    const problems: string[] = [];
    const seen: { id: string; epoch: number }[] = [];
    // Observed: a low node (b), a join (e), a leaf (h) and a gradient; f and grad:c stay unobserved and
    // are read lazily from inside the callbacks.
    const observe = (id: string, stream: import("rxjs").Observable<Tensor>, current: (s: Snapshot) => Tensor) =>
      stream.subscribe((t) => {
        const epoch = rt.stats().epoch;
        const s = rt.snapshot();
        seen.push({ id, epoch });
        if (s.epoch !== epoch) problems.push(`${id}: snapshot epoch ${s.epoch} in emission of epoch ${epoch}`);
        if (current(s) !== t) problems.push(`${id}: emitted tensor is not the snapshot's at epoch ${epoch}`);
        problems.push(...consistencyProblems(s));
        // Nodes not observed by anyone, read now, are this epoch's too.
        const values = forward(graph, new Map(sources.map((k) => [k, s.values[k]])));
        const grads = backward(graph, values);
        if (!sameBits(readNow(rt.value$("f")), values.get("f")!)) problems.push(`${id}: f read in callback is stale at epoch ${epoch}`);
        if (!sameBits(readNow(rt.grad$("c")), grads.get("c")!)) problems.push(`${id}: grad c read in callback is stale at epoch ${epoch}`);
      });
    observe("b", rt.value$("b"), (s) => s.values.b);
    observe("e", rt.value$("e"), (s) => s.values.e);
    observe("h", rt.value$("h"), (s) => s.values.h);
    observe("grad:a", rt.grad$("a"), (s) => s.grads.a);
    seen.length = 0;

    rt.set({ a: sc(1.25) }); // epoch 1: all four emit
    rt.set({ k2: sc(0.75) }); // epoch 2: b unaffected
    rt.transaction(() => rt.set({ a: sc(-2), k1: sc(0.5) })); // epoch 3
    expect(problems).toEqual([]);
    expect(seen).toEqual([
      { id: "b", epoch: 1 }, { id: "e", epoch: 1 }, { id: "h", epoch: 1 }, { id: "grad:a", epoch: 1 },
      { id: "e", epoch: 2 }, { id: "h", epoch: 2 }, { id: "grad:a", epoch: 2 },
      { id: "b", epoch: 3 }, { id: "e", epoch: 3 }, { id: "h", epoch: 3 }, { id: "grad:a", epoch: 3 },
    ]);
  });

  it("snapshot$ emits one consistent snapshot per transaction, after the node streams of that epoch", () => {
    const rt = createRuntime(graph, { inputs: { a: sc(0.5) }, params: { k1: sc(2), k2: sc(-1.5) } });
    const log: string[] = [];
    const snapshots: Snapshot[] = [];
    rt.value$("h").subscribe(() => log.push(`h@${rt.stats().epoch}`));
    rt.snapshot$.subscribe((s) => (snapshots.push(s), log.push(`snapshot@${s.epoch}`)));
    rt.set({ a: sc(3) });
    rt.transaction(() => (rt.set({ a: sc(4) }), rt.set({ k1: sc(1) })));
    expect(log).toEqual(["h@0", "snapshot@0", "h@1", "snapshot@1", "h@2", "snapshot@2"]);
    expect(snapshots.flatMap(consistencyProblems)).toEqual([]);
  });

  it("a subscriber that subscribes to a node during an emission gets that epoch's value once, not twice", () => {
    const rt = createRuntime(graph, { inputs: { a: sc(0.5) }, params: { k1: sc(2), k2: sc(-1.5) } });
    const late: { value: number; epoch: number }[] = [];
    const lateSnapshots: number[] = [];
    let subscribed = false;
    rt.value$("b").subscribe(() => {
      if (rt.stats().epoch !== 1 || subscribed) return;
      subscribed = true;
      // h and snapshot$ emit later in this same epoch: the late subscriber already has epoch 1's values.
      rt.value$("h").subscribe((t) => late.push({ value: t.data[0], epoch: rt.stats().epoch }));
      rt.snapshot$.subscribe((s) => lateSnapshots.push(s.epoch));
    });
    rt.value$("h").subscribe(() => {});
    rt.set({ a: sc(1) });
    rt.set({ a: sc(2) });
    expect(late.map((x) => x.epoch)).toEqual([1, 2]);
    expect(lateSnapshots).toEqual([1, 2]);
  });
});
