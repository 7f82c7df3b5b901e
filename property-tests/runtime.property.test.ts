/**
 * The runtime's promise as a property over random DAGs of core ops (tensors [n,n], n ∈ {1,2}), random
 * sequences of sets and transactions, and random subscriptions coming and going:
 *  - zero glitches: every callback sees snapshot().epoch equal to the epoch of its emission, the emitted
 *    tensor is that snapshot's, and every emitted value is the from-scratch value of its epoch;
 *  - at most one emission per subscription per transaction, and none missed (the latest emission is the
 *    current reference);
 *  - at most one compute per cell per transaction (stats() before and after);
 *  - values and gradients equal, bit for bit, a from-scratch forward/backward (src/graph/evaluate.ts);
 *  - what was handed out stays as it was: every tensor a subscriber kept and every snapshot taken during
 *    the run still holds its epoch's from-scratch numbers at the end (the runtime reuses buffers, but
 *    never one it has handed out).
 * The property is shown able to fail: the same property run on a naive combineLatest wiring of the same
 * DAG (built below) is reported failing by fc.check, and so is the runtime on DAGs whose tanh is replaced
 * by an op that writes every result into one buffer of its own (so a value handed out changes later).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BehaviorSubject, combineLatest, map, shareReplay, type Observable, type Subscription } from "rxjs";
import { parseGraph } from "../src/graph/parseGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { backward, forward } from "../src/graph/evaluate.ts";
import { getOp, registerOp } from "../src/ops/registry.ts";
import type { OpDef } from "../src/ops/op.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import { tensor, type Tensor } from "../src/tensor/tensor.ts";

// ---- random DAGs ----------------------------------------------------------------------------------------

const BINARY = ["add", "sub", "mul", "matmul"] as const;
const UNARY = ["tanh", "sigmoid", "relu", "identity"] as const;

interface DagSpec {
  n: number;
  inputs: number;
  params: number;
  nodes: { op: string; a: number; b: number }[];
  lossA: number;
  lossB: number;
}

const dagArb: fc.Arbitrary<DagSpec> = fc.record({
  n: fc.constantFrom(1, 2),
  inputs: fc.integer({ min: 1, max: 3 }),
  params: fc.integer({ min: 0, max: 2 }),
  nodes: fc.array(fc.record({ op: fc.constantFrom<string>(...BINARY, ...UNARY), a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: 10 }),
  lossA: fc.nat(),
  lossB: fc.nat(),
});

/** The graph file of a spec: sources s0.., nodes v0.. (operands among earlier ids), J = mean(mse(·,·)). */
function graphOfSpec(spec: DagSpec, rename: Record<string, string> = {}): Graph {
  const sources = Array.from({ length: spec.inputs + spec.params }, (_, i) => `s${i}`);
  const ids = [...sources];
  const nodes: Record<string, { op: string; in: string[] }> = {};
  spec.nodes.forEach((node, i) => {
    // Operands lean towards recent ids, so chains and diamonds both appear.
    const pick = (k: number) => ids[ids.length - 1 - (k % Math.min(ids.length, 4))];
    const alt = (k: number) => ids[k % ids.length];
    const id = `v${i}`;
    const unary = (UNARY as readonly string[]).includes(node.op);
    nodes[id] = { op: rename[node.op] ?? node.op, in: unary ? [pick(node.a)] : [pick(node.a), node.b % 2 ? pick(node.b >> 1) : alt(node.b >> 1)] };
    ids.push(id);
  });
  nodes.L = { op: "mse", in: [ids[ids.length - 1 - (spec.lossA % Math.min(ids.length, 3))], ids[spec.lossB % ids.length]] };
  nodes.J = { op: "mean", in: ["L"] };
  const decl = { shape: [spec.n, spec.n] };
  const file = {
    gradstream: 1,
    name: "random-dag",
    inputs: Object.fromEntries(sources.slice(0, spec.inputs).map((id) => [id, decl])),
    params: Object.fromEntries(sources.slice(spec.inputs).map((id) => [id, { ...decl, init: "zeros" }])),
    nodes,
    loss: "J",
  };
  return parseGraph(JSON.stringify(file), "json", "random-dag.json");
}

// ---- random scenarios -----------------------------------------------------------------------------------

const numbers = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 4, maxLength: 4 });
const assignArb = fc.array(fc.record({ src: fc.nat(), vals: numbers }), { minLength: 1, maxLength: 3 });
type Step =
  | { kind: "set"; assign: { src: number; vals: number[] }[] }
  | { kind: "tx"; groups: { src: number; vals: number[] }[][] }
  | { kind: "sub"; grad: boolean; target: number }
  | { kind: "unsub"; which: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: assignArb.map((assign) => ({ kind: "set" as const, assign })), weight: 4 },
  { arbitrary: fc.array(assignArb, { minLength: 1, maxLength: 3 }).map((groups) => ({ kind: "tx" as const, groups })), weight: 2 },
  { arbitrary: fc.record({ grad: fc.boolean(), target: fc.nat() }).map((s) => ({ kind: "sub" as const, ...s })), weight: 2 },
  { arbitrary: fc.nat().map((which) => ({ kind: "unsub" as const, which })), weight: 1 },
);
const scenarioArb = fc.record({
  dag: dagArb,
  initial: fc.array(numbers, { minLength: 5, maxLength: 5 }),
  subs: fc.array(fc.record({ grad: fc.boolean(), target: fc.nat() }), { minLength: 1, maxLength: 4 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 10 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

// ---- what is checked: any engine with this surface ------------------------------------------------------

interface Engine {
  value$(id: string): Observable<Tensor>;
  grad$?(id: string): Observable<Tensor>;
  set(values: Record<string, Tensor>): void;
  transaction(fn: () => void): void;
  /** The epoch as the engine sees it now (inside a callback: the epoch being emitted). */
  epoch(): number;
  /** The engine's consistent view of one epoch, if it has one. */
  snapshot?(): { epoch: number; values: Readonly<Record<string, Tensor>>; grads: Readonly<Record<string, Tensor>> };
  computes?(): Record<string, number>;
  dispose(): void;
}
type EngineFactory = (graph: Graph, sources: Map<string, Tensor>) => Engine;

/** Equal entry by entry as Object.is sees it: the same bits, except that any NaN equals any NaN. */
function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1] || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

function runScenario(factory: EngineFactory, s: Scenario, withGrads: boolean, rename?: Record<string, string>): void {
  const graph = graphOfSpec(s.dag, rename);
  const n = s.dag.n;
  const sourceIds = [...graph.inputs, ...graph.params].map((d) => d.id);
  const allIds = [...sourceIds, ...graph.nodes.map((d) => d.id)];
  const t = (vals: number[]) => tensor(n, n, Float64Array.from(vals.slice(0, n * n)));
  const current = new Map(sourceIds.map((id, i) => [id, t(s.initial[i % s.initial.length])]));
  const engine = factory(graph, new Map(current));
  const references: { values: Map<string, Tensor>; grads: Map<string, Tensor> }[] = [];
  const reference = () => {
    const values = forward(graph, current);
    return { values, grads: withGrads ? backward(graph, values) : new Map<string, Tensor>() };
  };
  references[engine.epoch()] = reference();
  const problems: string[] = [];
  /** Snapshots taken in callbacks, kept to the end. */
  const snapshots: { epoch: number; values: Readonly<Record<string, Tensor>>; grads: Readonly<Record<string, Tensor>> }[] = [];

  interface Sub { id: string; grad: boolean; emissions: { epoch: number; t: Tensor }[]; sub: Subscription }
  const live: Sub[] = [];
  const subscribe = ({ grad, target }: { grad: boolean; target: number }) => {
    const id = allIds[target % allIds.length];
    const g = grad && withGrads;
    const entry: Sub = { id, grad: g, emissions: [], sub: undefined! };
    const stream = g ? engine.grad$!(id) : engine.value$(id);
    entry.sub = stream.subscribe((tensor) => {
      const epoch = engine.epoch();
      entry.emissions.push({ epoch, t: tensor });
      if (engine.snapshot) {
        const snap = engine.snapshot();
        snapshots.push(snap);
        if (snap.epoch !== epoch) problems.push(`${g ? "grad " : ""}${id}: callback of epoch ${epoch} sees snapshot epoch ${snap.epoch}`);
        if ((g ? snap.grads : snap.values)[id] !== tensor) problems.push(`${g ? "grad " : ""}${id}: emitted tensor is not the snapshot's at epoch ${epoch}`);
      }
    });
    live.push(entry);
  };
  const step = (apply: () => void, isTransaction: boolean) => {
    const before = engine.computes?.();
    const marks = live.map((l) => l.emissions.length);
    apply();
    const after = engine.computes?.();
    if (before && after) for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 1) problems.push(`${k} computed ${v - (before[k] ?? 0)} times in one step`);
    if (isTransaction) {
      references[engine.epoch()] = reference();
      live.forEach((l, i) => {
        if (i < marks.length && l.emissions.length - marks[i] > 1) problems.push(`${l.grad ? "grad " : ""}${l.id} emitted ${l.emissions.length - marks[i]} times in one transaction`);
      });
    }
  };
  const assign = (list: { src: number; vals: number[] }[]) => {
    const values: Record<string, Tensor> = {};
    for (const a of list) values[sourceIds[a.src % sourceIds.length]] = t(a.vals);
    return values;
  };

  for (const sub of s.subs) step(() => subscribe(sub), false);
  for (const st of s.steps) {
    // The model moves first, so the reference of the new epoch is taken from it right after the step.
    if (st.kind === "set") {
      const values = assign(st.assign);
      for (const [id, v] of Object.entries(values)) current.set(id, v);
      step(() => engine.set(values), true);
    } else if (st.kind === "tx") {
      const groups = st.groups.map(assign);
      for (const g of groups) for (const [id, v] of Object.entries(g)) current.set(id, v);
      step(() => engine.transaction(() => groups.forEach((g) => engine.set(g))), true);
    } else if (st.kind === "sub") step(() => subscribe(st), false);
    else if (live.length) live.splice(st.which % live.length, 1)[0].sub.unsubscribe();
  }

  // Every emission is the from-scratch value of its epoch; the latest one is today's.
  const now = reference();
  for (const l of live) {
    for (const e of l.emissions) {
      const ref = references[e.epoch];
      const expected = ref && (l.grad ? ref.grads : ref.values).get(l.id);
      if (!expected || !sameValues(e.t, expected)) problems.push(`${l.grad ? "grad " : ""}${l.id} emitted a value that is not epoch ${e.epoch}'s`);
    }
    const last = l.emissions.at(-1);
    if (!last || !sameValues(last.t, (l.grad ? now.grads : now.values).get(l.id)!)) problems.push(`${l.grad ? "grad " : ""}${l.id} missed an update`);
  }
  for (const snap of snapshots) {
    const ref = references[snap.epoch];
    for (const id of allIds) {
      if (!ref || !sameValues(snap.values[id], ref.values.get(id)!)) problems.push(`a snapshot of epoch ${snap.epoch} no longer holds that epoch's value of ${id}`);
      if (withGrads && ref && !sameValues(snap.grads[id], ref.grads.get(id)!)) problems.push(`a snapshot of epoch ${snap.epoch} no longer holds that epoch's gradient of ${id}`);
    }
  }
  if (engine.snapshot) {
    const snap = engine.snapshot();
    for (const id of allIds) {
      if (!sameValues(snap.values[id], now.values.get(id)!)) problems.push(`snapshot value of ${id} differs from a from-scratch forward`);
      if (withGrads && !sameValues(snap.grads[id], now.grads.get(id)!)) problems.push(`snapshot grad of ${id} differs from a from-scratch backward`);
    }
  }
  engine.dispose();
  if (problems.length) throw new Error(problems.slice(0, 5).join("\n"));
}

// ---- the engines ------------------------------------------------------------------------------------------

const gradstream: EngineFactory = (graph, sources) => {
  const rt = createRuntime(graph, {
    inputs: Object.fromEntries(graph.inputs.map((d) => [d.id, sources.get(d.id)!])),
    params: Object.fromEntries(graph.params.map((d) => [d.id, sources.get(d.id)!])),
  });
  return {
    value$: rt.value$,
    grad$: rt.grad$,
    set: rt.set,
    transaction: rt.transaction,
    epoch: () => rt.stats().epoch,
    snapshot: rt.snapshot,
    computes: () => rt.stats().computes,
    dispose: rt.dispose,
  };
};

/**
 * The deliberately glitchy variant: each node `combineLatest` of its operands, a BehaviorSubject per
 * source, a transaction applying its sources one `next` at a time. A join recomputes and emits once per
 * changed operand, so subscribers see mixed-epoch values and several emissions per transaction.
 */
const naiveCombineLatest: EngineFactory = (graph, sources) => {
  const subjects = new Map<string, BehaviorSubject<Tensor>>();
  const streams = new Map<string, Observable<Tensor>>();
  for (const [id, v] of sources) {
    const s = new BehaviorSubject(v);
    subjects.set(id, s);
    streams.set(id, s);
  }
  for (const node of graph.nodes) {
    const op = getOp(node.op)!;
    streams.set(node.id, combineLatest(node.in.map((id) => streams.get(id)!)).pipe(map((xs) => op.forward(xs, node.attrs)), shareReplay({ bufferSize: 1, refCount: true })));
  }
  let epoch = 0;
  let batch: Record<string, Tensor> | undefined;
  const apply = (values: Record<string, Tensor>) => {
    epoch++;
    for (const [id, v] of Object.entries(values)) subjects.get(id)!.next(v);
  };
  return {
    value$: (id) => streams.get(id)!,
    set: (values) => (batch ? Object.assign(batch, values) : apply(values)),
    transaction: (fn) => {
      batch = {};
      fn();
      const values = batch;
      batch = undefined;
      apply(values);
    },
    epoch: () => epoch,
    dispose: () => subjects.forEach((s) => s.complete()),
  };
};

// ---- the properties ---------------------------------------------------------------------------------------

describe("runtime on random DAGs", () => {
  it("is glitch-free, computes each cell at most once per transaction and agrees with evaluate bit for bit", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => runScenario(gradstream, s, true)),
      { numRuns: 2500 },
    );
  });

  it("the same property fails when a value handed out is written again later (it can fail)", () => {
    // tanh that ignores the runtime's buffer and writes every result into one buffer of its own.
    const tanh = getOp("tanh")!;
    const own = new Map<string, Tensor>();
    const stale: OpDef = {
      ...tanh,
      name: "stale_tanh_test_op",
      scalar: undefined,
      forward: ([z]) => {
        const key = z.shape.join("x");
        const out = own.get(key) ?? tensor(z.shape[0], z.shape[1]);
        own.set(key, out);
        for (let i = 0; i < z.data.length; i++) (out.data as Float64Array)[i] = Math.tanh(z.data[i]);
        return out;
      },
    };
    const unregister = registerOp(stale);
    try {
      const result = fc.check(
        fc.property(scenarioArb, (s) => runScenario(gradstream, s, true, { tanh: "stale_tanh_test_op" })),
        { numRuns: 500, seed: 42 },
      );
      expect(result.failed).toBe(true);
      expect(String(result.errorInstance)).toMatch(/emitted a value that is not epoch|no longer holds that epoch's/);
    } finally {
      unregister();
    }
  });

  it("the same property fails on a naive combineLatest wiring (it can fail)", () => {
    const result = fc.check(
      fc.property(scenarioArb, (s) => runScenario(naiveCombineLatest, s, false)),
      { numRuns: 500, seed: 42 },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/emitted (a value that is not epoch|\d+ times in one transaction)/);
  });
});
