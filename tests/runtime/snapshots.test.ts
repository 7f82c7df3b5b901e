/**
 * Snapshots are immutable (frozen by immer, down to each tensor record) and structurally shared: a tensor
 * that did not change between epochs is the same object in both snapshots.
 */
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import type { Snapshot } from "../../src/runtime/snapshot.ts";

const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));

describe("snapshots", () => {
  it("are frozen, with their value and gradient records and each tensor record", () => {
    const rt = createRuntime(graph, { m: 3 });
    const s = rt.snapshot();
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.values)).toBe(true);
    expect(Object.isFrozen(s.grads)).toBe(true);
    for (const id of Object.keys(s.values)) {
      expect(Object.isFrozen(s.values[id]), id).toBe(true);
      expect(Object.isFrozen(s.grads[id]), `grad ${id}`).toBe(true);
      expect(Object.isFrozen(s.values[id].shape), id).toBe(true);
    }
    expect(() => ((s as { epoch: number }).epoch = 7)).toThrow(TypeError);
    expect(() => ((s.values as Record<string, unknown>).J = undefined)).toThrow(TypeError);
  });

  it("share unchanged tensors between epochs and replace changed ones", () => {
    const rt = createRuntime(graph, { m: 3 });
    const snaps: Snapshot[] = [];
    rt.snapshot$.subscribe((s) => snaps.push(s));
    rt.set({ Y: [[1, 1, 0]] });
    rt.set({ W2: [[0.1, 0.2, 0.3, 0.4]] });
    const [s0, s1, s2] = snaps;
    expect(snaps.map((s) => s.epoch)).toEqual([0, 1, 2]);
    // Y changed: L and J with it; the forward layers did not.
    for (const id of ["X", "W1", "b1", "W2", "b2", "Z1", "A1", "Z2", "A2"]) expect(s1.values[id], id).toBe(s0.values[id]);
    for (const id of ["Y", "L", "J"]) expect(s1.values[id], id).not.toBe(s0.values[id]);
    // dJ/dJ = 1 never changes; every other gradient on the path back does.
    expect(s1.grads.J).toBe(s0.grads.J);
    for (const id of ["L", "A2", "Z2", "W2", "b2", "A1", "Z1", "W1", "b1"]) expect(s1.grads[id], id).not.toBe(s0.grads[id]);
    // W2 changed: layer 1 is shared with both earlier snapshots.
    for (const id of ["Z1", "A1"]) expect(s2.values[id]).toBe(s0.values[id]);
    expect(s2.values.Y).toBe(s1.values.Y);
    // old snapshots keep their own values
    expect(Array.from(s0.values.W2.data)).not.toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(Array.from(s2.values.W2.data)).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it("snapshot() is the same object within an epoch and equals what snapshot$ emitted", () => {
    const rt = createRuntime(graph, { m: 3 });
    let last: Snapshot | undefined;
    rt.snapshot$.subscribe((s) => (last = s));
    rt.set({ b2: [[0.5]] });
    expect(rt.snapshot()).toBe(last);
    expect(rt.snapshot()).toBe(rt.snapshot());
  });
});
