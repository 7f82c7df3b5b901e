/**
 * Small tools for the runtime tests: a graph from YAML text, [[v]] scalars, a recorder of what a stream
 * emitted (with the epoch it was emitted in), per-cell compute deltas and bitwise tensor comparison.
 *
 * @example
 * const rt = createRuntime(graphOf(`...`), { inputs: { a: sc(1) } });
 * const d = record(rt, rt.value$("d"));
 * rt.set({ a: sc(2) }); d.values // [x, y]
 */
import type { Observable, Subscription } from "rxjs";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import type { Graph } from "../../src/graph/graph.ts";
import type { Runtime } from "../../src/runtime/createRuntime.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";

export function graphOf(yaml: string): Graph {
  return parseGraph(yaml, "yaml", "test.yaml");
}

/** A [1,1] value. */
export function sc(v: number): number[][] {
  return [[v]];
}

export interface Recording {
  /** First entry of every emitted tensor. */
  values: number[];
  /** The runtime's epoch when each emission arrived. */
  epochs: number[];
  tensors: Tensor[];
  completed: number;
  errors: unknown[];
  sub: Subscription;
}

export function record(rt: Runtime, stream: Observable<Tensor>, log?: string[], name?: string): Recording {
  const r: Recording = { values: [], epochs: [], tensors: [], completed: 0, errors: [], sub: undefined! };
  r.sub = stream.subscribe({
    next: (t) => {
      r.values.push(t.data[0]);
      r.epochs.push(rt.stats().epoch);
      r.tensors.push(t);
      if (log && name) log.push(name);
    },
    complete: () => r.completed++,
    error: (e) => r.errors.push(e),
  });
  return r;
}

/** How many times each cell was computed between two `stats()` readings (cells that were not: absent). */
export function computedSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Same shape and the same bits in every entry (so -0 ≠ 0 and NaN = NaN). */
export function sameBits(a: Tensor, b: Tensor): boolean {
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1] || a.data.length !== b.data.length) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
