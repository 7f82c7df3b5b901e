/**
 * The reactive runtime: a graph as a live, glitch-free DAG of values and gradients exposed as RxJS
 * observables.
 *
 * Plain RxJS composition (`combineLatest` over a diamond) emits intermediate states of mixed epochs and
 * recomputes a join once per changed operand. This scheduler instead does what Preact signals,
 * Observable's runtime and Incremental do: a transaction changes sources, marks what may be affected,
 * recomputes each affected cell at most once in height (topological) order, and only then emits. So every
 * emission belongs to one epoch, and a subscriber that reads anything else during its callback sees that
 * same epoch.
 *
 * Cells: one per id for its value (`X`, `W1`, `Z1`, ...) and one per id for its gradient (`grad:Z1`). The
 * gradient of x sums, over the consumers c of x that reach the loss, c's vector-Jacobian product for x;
 * it depends on grad:c, on c's value and on c's operands' values. So changing a target Y recomputes the loss
 * and the backward pass but not the forward layers; changing a layer-2 param leaves layer 1 alone.
 *
 * Laziness: a cell is active while something observes it, directly or through an active dependent. A
 * transaction only marks and recomputes active cells; inactive ones are verified when next read (each
 * cell records the epoch it was verified at and the epoch its value last changed).
 *
 * @example
 * const rt = createRuntime(graph, { inputs: { X, Y } });
 * rt.value$("J").subscribe((j) => console.log(j.data[0]));
 * rt.grad$("W1").subscribe((g) => draw(g));
 * rt.set({ X: nextBatch });            // one transaction: J and dJ/dW1 emit once each
 * rt.transaction(() => { rt.set({ W1 }); rt.set({ b1 }); }); // two sets, one transaction
 */
import { Observable, Subscription } from "rxjs";
import { produce, enableMapSet } from "immer";
import { GradstreamError } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { allIds } from "../graph/graph.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import { getOp } from "../ops/registry.ts";
import { type Tensor, type TensorLike, fromNested, tensor, filled } from "../tensor/tensor.ts";
import { addInto } from "../tensor/kernels.ts";
import { initParams } from "../data/initParams.ts";
import { randomInputs } from "../data/randomInputs.ts";
import type { Snapshot } from "./snapshot.ts";

enableMapSet();

// ---- cell state -------------------------------------------------------------------------------------

const SOURCE = 0;
const FORWARD = 1;
const GRADIENT = 2;

interface Cell {
  /** Stats key: the id for a value, `grad:<id>` for a gradient. */
  readonly key: string;
  readonly id: string;
  readonly kind: typeof SOURCE | typeof FORWARD | typeof GRADIENT;
  height: number;
  readonly deps: Cell[];
  readonly dependents: Cell[];
  compute: () => Tensor;
  value: Tensor | undefined;
  /** The epoch at which the value was last known to agree with the deps. */
  verifiedAt: number;
  /** The epoch at which the value last changed. */
  changedAt: number;
  /** Marked in this transaction as possibly affected (only meaningful while active). */
  stale: boolean;
  /** Observers plus active dependents; > 0 means the cell is kept up to date. */
  activeRefs: number;
  /** Direct observers (value$/grad$ subscribers and snapshot$). */
  readonly observers: Set<(t: Tensor) => void>;
  observedBySnapshot: number;
  computes: number;
  /** The epoch whose undo log already holds this cell. */
  loggedAt: number;
}

interface Undo {
  cell: Cell;
  value: Tensor | undefined;
  verifiedAt: number;
  changedAt: number;
  stale: boolean;
  computes: number;
}

export interface RuntimeInit {
  inputs?: Record<string, TensorLike>;
  params?: Record<string, TensorLike>;
  /** Seed for params (and inputs) that are not given. Default 1. */
  seed?: number;
  /** Batch size of the random inputs used for inputs that are not given. Default 4. */
  m?: number;
}

export interface RuntimeStats {
  epoch: number;
  /** Times each cell was computed: `<id>` for values, `grad:<id>` for gradients. */
  computes: Record<string, number>;
}

export interface Runtime {
  readonly graph: Graph;
  /** The current value on subscribe, then once per transaction that changes it. */
  value$(id: string): Observable<Tensor>;
  /** dJ/d(id), same rules. */
  grad$(id: string): Observable<Tensor>;
  /** One consistent, immutable { epoch, values, grads } on subscribe and per transaction. */
  readonly snapshot$: Observable<Snapshot>;
  /** Errors of transactions that had no caller to throw to (deferred sets, `connect` sources). */
  readonly errors$: Observable<GradstreamError>;
  set(values: Record<string, TensorLike>): void;
  transaction(fn: () => void): void;
  connect(id: string, source$: Observable<TensorLike>): Subscription;
  snapshot(): Snapshot;
  stats(): RuntimeStats;
  dispose(): void;
}

/**
 * Wires a graph into a live runtime. Inputs and params not given in `init` are drawn at random (inputs
 * with batch size `m`, default 4) or from the graph's `init` with `seed`.
 */
export function createRuntime(graph: Graph, init: RuntimeInit = {}): Runtime {
  const seed = init.seed ?? 1;
  const file = graph.source;

  // ---- build the cells --------------------------------------------------------------------------------
  const cells = new Map<string, Cell>();
  const newCell = (key: string, id: string, kind: Cell["kind"]): Cell => {
    const c: Cell = {
      key, id, kind, height: 0, deps: [], dependents: [], compute: () => { throw new Error("source"); },
      value: undefined, verifiedAt: -1, changedAt: -1, stale: false, activeRefs: 0, observers: new Set(),
      observedBySnapshot: 0, computes: 0, loggedAt: -1,
    };
    cells.set(key, c);
    return c;
  };
  const depend = (c: Cell, d: Cell) => {
    if (c.deps.includes(d)) return;
    c.deps.push(d);
    d.dependents.push(c);
  };

  const ids = allIds(graph);
  const valueCell = new Map<string, Cell>();
  const gradCell = new Map<string, Cell>();
  for (const d of [...graph.inputs, ...graph.params]) valueCell.set(d.id, newCell(d.id, d.id, SOURCE));
  for (const node of graph.nodes) {
    const c = newCell(node.id, node.id, FORWARD);
    valueCell.set(node.id, c);
    const op = getOp(node.op)!;
    const operands = node.in.map((ref) => valueCell.get(ref)!);
    for (const o of operands) depend(c, o);
    c.compute = () => {
      const inputs = operands.map((o) => o.value!);
      try {
        return op.forward(inputs, node.attrs);
      } catch (e) {
        throw computeError(node.id, node.op, e);
      }
    };
  }

  // Which ids the loss depends on: only their consumers contribute to a gradient.
  const reachesLoss = new Set<string>([graph.loss]);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (reachesLoss.has(n.id)) for (const ref of n.in) reachesLoss.add(ref);
  }
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const id of ids) gradCell.set(id, newCell(`grad:${id}`, id, GRADIENT));
  // Gradients in reverse topological order, so a consumer's gradient cell exists before its operands'.
  const reverse = [...ids].reverse();
  for (const id of reverse) {
    const g = gradCell.get(id)!;
    const own = valueCell.get(id)!;
    if (id === graph.loss) {
      depend(g, own);
      g.compute = () => filled(own.value!.shape[0], own.value!.shape[1], 1);
      continue;
    }
    const uses = (graph.consumers.get(id) ?? []).filter((u) => reachesLoss.has(u.node));
    if (uses.length === 0) {
      depend(g, own);
      g.compute = () => tensor(own.value!.shape[0], own.value!.shape[1]);
      continue;
    }
    const terms = uses.map(({ node: consumerId, slot }) => {
      const node = nodeById.get(consumerId)!;
      const op = getOp(node.op)!;
      const gOut = gradCell.get(consumerId)!;
      const out = valueCell.get(consumerId)!;
      const operands = node.in.map((ref) => valueCell.get(ref)!);
      depend(g, gOut);
      depend(g, out);
      for (const o of operands) depend(g, o);
      return () => {
        try {
          return op.backward[slot]({ inputs: operands.map((o) => o.value!), output: out.value!, grad: gOut.value!, attrs: node.attrs });
        } catch (e) {
          throw computeError(consumerId, `${node.op} backward`, e);
        }
      };
    });
    g.compute =
      terms.length === 1
        ? terms[0]
        : () => {
            const first = terms[0]();
            const acc = tensor(first.shape[0], first.shape[1], first.data.slice());
            for (let k = 1; k < terms.length; k++) addInto(acc.data, terms[k]().data);
            return acc;
          };
  }
  // Heights: a cell sits one above its highest dep, so height order is a topological order.
  const heightKnown = new Set<Cell>();
  const heightOf = (c: Cell): number => {
    if (heightKnown.has(c)) return c.height;
    for (const d of c.deps) c.height = Math.max(c.height, heightOf(d) + 1);
    heightKnown.add(c);
    return c.height;
  };
  for (const c of cells.values()) heightOf(c);
  const allCells = [...cells.values()];
  const sourceCells = allCells.filter((c) => c.kind === SOURCE);

  // ---- scheduler state ------------------------------------------------------------------------------
  let epoch = 0;
  let disposed = false;
  /** True while a transaction is computing or emitting: sets then wait for the next transaction. */
  let running = false;
  /** Depth of transaction(fn) calls; sets inside are gathered into `pending`. */
  let batchDepth = 0;
  let pending: Map<string, Tensor> | undefined;
  const queue: Map<string, Tensor>[] = [];
  let undoLog: Undo[] = [];
  let lastSnapshot: Snapshot | undefined;
  const snapshotObservers = new Set<(s: Snapshot) => void>();
  const errorObservers = new Set<(e: GradstreamError) => void>();
  const connections = new Set<Subscription>();
  let m = 0;

  // ---- initial sources ------------------------------------------------------------------------------
  {
    const given = new Map<string, Tensor>();
    for (const [section, kind] of [["inputs", "input"], ["params", "param"]] as const) {
      for (const [id, v] of Object.entries(init[section] ?? {})) given.set(id, toTensor(id, v, kind));
    }
    const missingInputs = graph.inputs.filter((d) => !given.has(d.id));
    const firstGiven = graph.inputs.find((d) => given.has(d.id) && d.shape.includes("m"));
    const batch = firstGiven ? given.get(firstGiven.id)!.shape[firstGiven.shape.indexOf("m")] : (init.m ?? 4);
    const initial = new Map<string, Tensor>();
    if (missingInputs.length) for (const [id, t] of randomInputs(graph, batch, seed)) if (!given.has(id)) initial.set(id, t);
    const absentParams = new Set(graph.params.filter((p) => !given.has(p.id)).map((p) => p.id));
    for (const [id, t] of initParams(graph, seed, absentParams)) initial.set(id, t);
    for (const [id, t] of given) initial.set(id, t);
    m = bindShapes(graph, initial, file).m;
    for (const [id, t] of initial) {
      const c = valueCell.get(id)!;
      c.value = t;
      c.changedAt = 0;
      c.verifiedAt = 0;
    }
  }

  function toTensor(id: string, v: TensorLike, expected?: "input" | "param"): Tensor {
    const kind = graph.kinds.get(id);
    if (kind === undefined) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is not an input or param of graph ${graph.name}` });
    if (kind === "node") throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is a computed node; only inputs and params can be set` });
    if (expected && kind !== expected) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is ${kind === "input" ? "an input" : "a param"}, not ${expected === "input" ? "an input" : "a param"}` });
    const t = fromNested(v);
    if (typeof t === "string") throw new GradstreamError("DATA_INVALID", { file, node: id, message: t });
    return t;
  }

  function computeError(node: string, what: string, e: unknown): GradstreamError {
    if (e instanceof GradstreamError) return e;
    return new GradstreamError("COMPUTE", { file, node, message: `${what} failed: ${(e as Error)?.message ?? e}` });
  }

  // ---- reading: verify a cell at the current epoch, recomputing only if a dep changed -----------------
  function log(c: Cell): void {
    if (c.loggedAt === epoch) return;
    c.loggedAt = epoch;
    undoLog.push({ cell: c, value: c.value, verifiedAt: c.verifiedAt, changedAt: c.changedAt, stale: c.stale, computes: c.computes });
  }

  function read(c: Cell): Tensor {
    if (c.kind === SOURCE || c.verifiedAt === epoch) return c.value!;
    if (c.activeRefs > 0 && !c.stale && c.value !== undefined) return c.value;
    let changed = c.value === undefined;
    for (let i = 0; i < c.deps.length; i++) {
      const d = c.deps[i];
      read(d);
      if (d.changedAt > c.verifiedAt) changed = true;
    }
    log(c);
    if (changed) {
      c.value = c.compute();
      c.changedAt = epoch;
      c.computes++;
    }
    c.verifiedAt = epoch;
    c.stale = false;
    return c.value!;
  }

  // ---- activation: observed cells and everything they need are kept up to date -----------------------
  function activate(c: Cell): void {
    if (c.activeRefs++ === 0) {
      // Nothing marked it while it was inactive: it must be verified on its next read.
      if (c.kind !== SOURCE) c.stale = true;
      for (const d of c.deps) activate(d);
    }
  }
  function deactivate(c: Cell): void {
    if (--c.activeRefs === 0) {
      // It was up to date while active; remember that, since no transaction will mark it any more.
      if (!c.stale && c.value !== undefined && c.kind !== SOURCE) c.verifiedAt = epoch;
      for (const d of c.deps) deactivate(d);
    }
  }

  // ---- transactions -----------------------------------------------------------------------------------
  function commit(changes: Map<string, Tensor>): void {
    // Validate against the state as it would be, before anything is touched.
    const prospective = new Map<string, Tensor>();
    for (const c of sourceCells) prospective.set(c.id, changes.get(c.id) ?? c.value!);
    const bound = bindShapes(graph, prospective, file);

    running = true;
    const previousM = m;
    epoch++;
    undoLog = [];
    const observed: Cell[] = [];
    try {
      // Mark: everything active downstream of a changed source may be affected.
      const stack: Cell[] = [];
      for (const [id, t] of changes) {
        const c = valueCell.get(id)!;
        log(c);
        c.value = t;
        c.changedAt = epoch;
        c.verifiedAt = epoch;
        if (c.observers.size || c.observedBySnapshot) observed.push(c);
        stack.push(c);
      }
      m = bound.m;
      while (stack.length) {
        const c = stack.pop()!;
        for (const d of c.dependents) {
          if (d.activeRefs === 0 || d.stale) continue;
          log(d);
          d.stale = true;
          if (d.observers.size || d.observedBySnapshot) observed.push(d);
          stack.push(d);
        }
      }
      // Compute: observed cells in height order; reading one pulls exactly the stale cells it needs.
      observed.sort((a, b) => a.height - b.height);
      for (const c of observed) read(c);
    } catch (e) {
      rollback(previousM);
      running = false;
      throw e;
    }
    // Emit: only now, so every subscriber sees one finished epoch.
    try {
      for (const c of observed) {
        if (c.changedAt !== epoch || c.observers.size === 0) continue;
        for (const next of [...c.observers]) next(c.value!);
      }
      if (snapshotObservers.size) {
        const s = snapshot();
        for (const next of [...snapshotObservers]) next(s);
      }
    } finally {
      running = false;
    }
  }

  function rollback(previousM: number): void {
    for (let i = undoLog.length - 1; i >= 0; i--) {
      const u = undoLog[i];
      Object.assign(u.cell, { value: u.value, verifiedAt: u.verifiedAt, changedAt: u.changedAt, stale: u.stale, computes: u.computes, loggedAt: -1 });
    }
    undoLog = [];
    epoch--;
    m = previousM;
  }

  /** Runs queued transactions (sets made while another transaction was running) one after another. */
  function drain(): void {
    while (queue.length && !running) {
      const next = queue.shift()!;
      try {
        commit(next);
      } catch (e) {
        report(e);
      }
    }
  }

  function report(e: unknown): void {
    const err = e instanceof GradstreamError ? e : new GradstreamError("COMPUTE", String((e as Error)?.message ?? e));
    if (errorObservers.size) for (const next of [...errorObservers]) next(err);
    else console.error(err.message);
  }

  function submit(changes: Map<string, Tensor>): void {
    if (running) {
      queue.push(changes); // re-entrant: the next transaction, never interleaved with this one
      return;
    }
    commit(changes);
    drain();
  }

  function assertLive(): void {
    if (disposed) throw new GradstreamError("DISPOSED", "this runtime has been disposed");
  }

  function set(values: Record<string, TensorLike>): void {
    assertLive();
    const changes = new Map<string, Tensor>();
    for (const id of Object.keys(values)) changes.set(id, toTensor(id, values[id]));
    if (batchDepth > 0) {
      pending ??= new Map();
      for (const [id, t] of changes) pending.set(id, t);
      return;
    }
    submit(changes);
  }

  function transaction(fn: () => void): void {
    assertLive();
    batchDepth++;
    let ok = false;
    try {
      fn();
      ok = true;
    } finally {
      batchDepth--;
      if (batchDepth === 0) {
        const changes = pending;
        pending = undefined;
        if (ok && changes?.size) submit(changes);
      }
    }
  }

  // ---- observables --------------------------------------------------------------------------------------
  function cellObservable(c: Cell | undefined, id: string): Observable<Tensor> {
    if (!c) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is not an id of graph ${graph.name}` });
    return new Observable<Tensor>((subscriber) => {
      if (disposed) {
        subscriber.complete();
        return;
      }
      const next = (t: Tensor) => subscriber.next(t);
      activate(c);
      let value: Tensor;
      try {
        value = read(c);
      } catch (e) {
        deactivate(c);
        subscriber.error(e);
        return;
      }
      c.observers.add(next);
      completers.add(complete);
      function complete() {
        subscriber.complete();
      }
      subscriber.next(value);
      return () => {
        completers.delete(complete);
        if (c.observers.delete(next)) deactivate(c);
      };
    });
  }
  const completers = new Set<() => void>();

  const snapshot$ = new Observable<Snapshot>((subscriber) => {
    if (disposed) {
      subscriber.complete();
      return;
    }
    const next = (s: Snapshot) => subscriber.next(s);
    for (const c of allCells) {
      activate(c);
      c.observedBySnapshot++;
    }
    snapshotObservers.add(next);
    const complete = () => subscriber.complete();
    completers.add(complete);
    try {
      subscriber.next(snapshot());
    } catch (e) {
      subscriber.error(e);
    }
    return () => {
      completers.delete(complete);
      if (snapshotObservers.delete(next)) {
        for (const c of allCells) {
          c.observedBySnapshot--;
          deactivate(c);
        }
      }
    };
  });

  const errors$ = new Observable<GradstreamError>((subscriber) => {
    const next = (e: GradstreamError) => subscriber.next(e);
    errorObservers.add(next);
    const complete = () => subscriber.complete();
    completers.add(complete);
    return () => {
      errorObservers.delete(next);
      completers.delete(complete);
    };
  });

  function snapshot(): Snapshot {
    assertLive();
    if (lastSnapshot?.epoch === epoch) return lastSnapshot;
    const prev = lastSnapshot;
    const base: Snapshot = prev ?? { epoch: -1, values: {}, grads: {} };
    // A failed read here (a computation error) leaves the last snapshot as it was.
    const fresh: [string, Tensor, Tensor][] = ids.map((id) => [id, read(valueCell.get(id)!), read(gradCell.get(id)!)]);
    lastSnapshot = produce(base, (draft) => {
      draft.epoch = epoch;
      for (const [id, v, g] of fresh) {
        // Unchanged tensors keep their identity: structural sharing between epochs.
        if (base.values[id] !== v) (draft.values as Record<string, Tensor>)[id] = v;
        if (base.grads[id] !== g) (draft.grads as Record<string, Tensor>)[id] = g;
      }
    });
    return lastSnapshot;
  }

  function connect(id: string, source$: Observable<TensorLike>): Subscription {
    assertLive();
    toTensorKind(id);
    const sub = source$.subscribe({
      next: (v) => {
        if (disposed) return;
        try {
          set({ [id]: v });
        } catch (e) {
          report(e);
        }
      },
      error: (e) => report(e),
    });
    connections.add(sub);
    sub.add(() => connections.delete(sub));
    return sub;
  }

  function toTensorKind(id: string): void {
    const kind = graph.kinds.get(id);
    if (kind !== "input" && kind !== "param") throw new GradstreamError("DATA_INVALID", { file, node: id, message: kind ? `'${id}' is a computed node; only inputs and params can be connected` : `'${id}' is not an input or param of graph ${graph.name}` });
  }

  function stats(): RuntimeStats {
    const computes: Record<string, number> = {};
    for (const c of allCells) if (c.kind !== SOURCE) computes[c.key] = c.computes;
    return { epoch, computes };
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const sub of [...connections]) sub.unsubscribe();
    for (const complete of [...completers]) complete();
    completers.clear();
    snapshotObservers.clear();
    errorObservers.clear();
    queue.length = 0;
    for (const c of allCells) {
      c.observers.clear();
      c.value = undefined;
    }
    lastSnapshot = undefined;
  }

  return {
    graph,
    value$: (id) => cellObservable(valueCell.get(id), id),
    grad$: (id) => cellObservable(gradCell.get(id), id),
    snapshot$,
    errors$,
    set,
    transaction,
    connect,
    snapshot,
    stats,
    dispose,
  };
}
