/**
 * A graph of [1,1] nodes wired the naive RxJS way: a BehaviorSubject per input and param, each node
 * `combineLatest` of its operands mapped through its scalar arithmetic and shared (`shareReplay`, so a node
 * is not recomputed per subscriber). Every join re-emits once per operand emission, so it glitches and
 * fires its leaves many times per update: the wiring the issue says plain RxJS gives.
 *
 * @example
 * const peer = combineLatestMirror(graph, shape);
 * peer.set("a", 2); peer.fires(); peer.dispose();
 */
import { BehaviorSubject, combineLatest, map, shareReplay, type Observable, type Subscription } from "rxjs";
import type { Graph } from "../src/graph/graph.ts";
import type { ReactiveShape } from "./reactiveShapes.ts";
import type { Mirror } from "./preactMirror.ts";
import { scalarOp } from "./scalarOps.ts";

export function combineLatestMirror(graph: Graph, shape: ReactiveShape): Mirror {
  const sources = new Map<string, BehaviorSubject<number>>();
  const streams = new Map<string, Observable<number>>();
  for (const [id, v] of Object.entries({ ...shape.inputs, ...shape.params })) {
    const s = new BehaviorSubject(v[0][0]);
    sources.set(id, s);
    streams.set(id, s);
  }
  for (const node of graph.nodes) {
    const f = scalarOp(node.op);
    const operands = node.in.map((id) => streams.get(id)!);
    streams.set(node.id, combineLatest(operands).pipe(map((xs) => f(xs[0], xs[1] ?? 0)), shareReplay({ bufferSize: 1, refCount: true })));
  }
  let fires = 0;
  const last = new Map<string, number>();
  const subs: Subscription[] = shape.leaves.map((id) =>
    streams.get(id)!.subscribe((v) => {
      last.set(id, v);
      fires++;
    }),
  );
  return {
    set: (id, v) => sources.get(id)!.next(v),
    leafValue: (id) => last.get(id)!,
    fires: () => fires,
    dispose: () => subs.forEach((s) => s.unsubscribe()),
  };
}
