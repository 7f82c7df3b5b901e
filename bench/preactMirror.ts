/**
 * A graph of [1,1] nodes wired as Preact signals: a signal per input and param, a computed per node doing
 * the node's scalar arithmetic, an effect per observed leaf. The peer gradstream's runtime is measured against.
 *
 * @example
 * const peer = preactMirror(graph, shape);
 * peer.set("a", 2); peer.leafValue(shape.leaves[0]); peer.dispose();
 */
import { signal, computed, effect, type ReadonlySignal, type Signal } from "@preact/signals-core";
import type { Graph } from "../src/graph/graph.ts";
import type { ReactiveShape } from "./reactiveShapes.ts";
import { scalarOp } from "./scalarOps.ts";

export interface Mirror {
  set(id: string, v: number): void;
  leafValue(id: string): number;
  /** Times the observed leaves' callbacks ran. */
  fires(): number;
  dispose(): void;
}

export function preactMirror(graph: Graph, shape: ReactiveShape): Mirror {
  const sources = new Map<string, Signal<number>>();
  const cells = new Map<string, ReadonlySignal<number>>();
  for (const [id, v] of Object.entries({ ...shape.inputs, ...shape.params })) {
    const s = signal(v[0][0]);
    sources.set(id, s);
    cells.set(id, s);
  }
  for (const node of graph.nodes) {
    const f = scalarOp(node.op);
    const a = cells.get(node.in[0])!;
    const b = node.in.length > 1 ? cells.get(node.in[1])! : undefined;
    cells.set(node.id, b ? computed(() => f(a.value, b.value)) : computed(() => f(a.value, 0)));
  }
  let fires = 0;
  const last = new Map<string, number>();
  const disposers = shape.leaves.map((id) => {
    const c = cells.get(id)!;
    return effect(() => {
      last.set(id, c.value);
      fires++;
    });
  });
  return {
    set: (id, v) => void (sources.get(id)!.value = v),
    leafValue: (id) => last.get(id)!,
    fires: () => fires,
    dispose: () => disposers.forEach((d) => d()),
  };
}
