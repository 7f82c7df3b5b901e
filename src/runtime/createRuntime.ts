/**
 * The reactive runtime: a graph as a live, glitch-free DAG of values and gradients exposed as RxJS
 * observables.
 *
 * Plain RxJS composition (`combineLatest` over a diamond) emits intermediate states of mixed epochs and
 * recomputes a join once per changed operand. This scheduler instead does what Preact signals,
 * Observable's runtime and Incremental do: a transaction changes sources, recomputes each affected cell
 * exactly once in topological (height) order, and only then emits. So every emission belongs to one epoch,
 * and a subscriber that reads anything else during its callback sees that same epoch.
 *
 * Cells: one per id for its value (`X`, `W1`, `Z1`, ...) and one per id for its gradient (`grad:Z1`). The
 * gradient of x sums, over the consumers c of x that reach the loss, c's vector-Jacobian product for x;
 * it depends on grad:c, on c's value and on c's operands' values. So changing a target Y recomputes the loss
 * and the backward pass but not the forward layers; changing a layer-2 param leaves layer 1 alone.
 *
 * Laziness: a cell is active while something observes it, directly or through an active dependent, and an
 * active cell is always up to date (it is verified before it becomes active). A transaction recomputes the
 * active cells downstream of the changed sources, and nothing else; an inactive cell is verified when next
 * read, from the epoch it was verified at and the epochs its deps last changed at.
 *
 * A cell downstream of a changed source counts as changed (there is no equality test on tensors): it is
 * recomputed and, if observed, emitted once in that transaction.
 *
 * Errors: shapes are checked before anything is touched; a computation that throws rolls back every cell
 * the transaction recomputed and the epoch, so the last good state stays live. A set made while a
 * transaction computes or emits (from a subscriber) is queued and runs as the next transaction.
 *
 * Speed: the cells a transaction recomputes, in order, and the cells it emits for, depend only on which
 * sources changed and on what is active, so that "plan" is built once and reused until a subscription
 * changes. A transaction then is one loop over an array; undo state lives in the cells, not in a log. An
 * elementwise op on [1,1] operands runs on numbers (`OpDef.scalar`) kept in the cell, and becomes a
 * Tensor only when emitted or read, so a graph of scalar nodes allocates per update only what it emits.
 * Walks (verification, activation, heights) use explicit stacks, so depth is not limited by the call stack.
 *
 * Buffers: a computed tensor is written into a buffer the runtime owns (`OpDef.forward`'s `out`), and
 * each cell keeps one spare: its value of an earlier transaction, once replaced, if that value never left
 * the runtime. Handing a value out — emitting it, returning it on subscribe, putting it in a snapshot —
 * marks it shared, and a shared value is never written again: a subscriber may keep what it was given, and
 * a snapshot never changes. So a training loop that observes the loss and the params' gradients computes
 * every other cell (activations, their gradients) in the same two buffers, step after step, and allocates
 * only the tensors it is handed. The spare is taken only after a transaction succeeded: a failing one
 * restores the values it replaced, which it never wrote into. A subscriber that only reads what it is
 * handed in its callback can say so (`{ borrow: true }`); what it alone was handed stays reusable, and a
 * loop that applies each gradient at once allocates nothing per step.
 *
 * @example
 * const rt = createRuntime(graph, { inputs: { X, Y } });
 * rt.value$("J").subscribe((j) => console.log(j.data[0]));
 * rt.grad$("W1").subscribe((g) => draw(g));
 * rt.set({ X: nextBatch });            // one transaction: J and dJ/dW1 emit once each
 * rt.transaction(() => { rt.set({ W1 }); rt.set({ b1 }); }); // two sets, one transaction
 */
import { Observable, type Subscriber, Subscription } from "rxjs";
import { produce } from "immer";
import { DEFAULT_MAX_MEMORY, checkMemoryBudget, runtimeItems } from "../graph/memoryBudget.ts";
import { GradstreamError, type Issue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { allIds, lossAncestors } from "../graph/graph.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import { getOp } from "../ops/registry.ts";
import type { BackwardContext, Shape } from "../ops/op.ts";
import { type Tensor, type TensorLike, fromNested, tensor, filled } from "../tensor/tensor.ts";
import { addInto } from "../tensor/kernels.ts";
import { initParams } from "../data/initParams.ts";
import { randomInputs } from "../data/randomInputs.ts";
import type { Snapshot } from "./snapshot.ts";
import { checkFunction, checkId, checkRuntimeInit, checkSource, checkValues } from "./runtimeArguments.ts";

// ---- cell state -------------------------------------------------------------------------------------

const SOURCE = 0;
const FORWARD = 1;
const GRADIENT = 2;

interface Observer<T> {
  readonly subscriber: Subscriber<T>;
  /** The epoch whose value it was handed on subscribe: it is not handed that epoch again. */
  readonly since: number;
  /** It reads what it is handed during its callback only (`borrow`): handing it a value does not share it. */
  readonly borrows?: boolean;
}

/** Options of `value$` and `grad$`. */
export interface ObserveOptions {
  /**
   * The subscriber only reads each tensor it is handed in its callback (or at least before the second
   * transaction after it; copy it with `clone` to keep it). Then, when nothing else holds it, the runtime
   * writes a later value into the same buffer instead of allocating: a training loop that applies each
   * gradient at once allocates nothing per step. Off by default: a handed-out tensor is the subscriber's.
   */
  borrow?: boolean;
}

interface Cell {
  /** Stats key: the id for a value, `grad:<id>` for a gradient. */
  readonly key: string;
  readonly id: string;
  readonly kind: typeof SOURCE | typeof FORWARD | typeof GRADIENT;
  /** Position in one fixed topological order of all cells (by height): plans run and emit in it. */
  rank: number;
  readonly deps: Cell[];
  readonly dependents: Cell[];
  /** Computes the cell's value from its deps' and stores it in the cell (`setTensor` or `num`). */
  compute: () => void;
  /**
   * The value as a Tensor. For a [1,1] value computed on the scalar path it stays undefined until
   * someone asks (`tensorOf`): the number lives in `num`, so a graph of scalar nodes allocates nothing
   * per update but the tensors it emits.
   */
  value: Tensor | undefined;
  /** The value's single number, when the value is [1,1] (`isNum`). */
  num: number;
  isNum: boolean;
  /** The epoch at which the value was last known to agree with the deps (kept for inactive cells). */
  verifiedAt: number;
  /** The epoch at which the value last changed. */
  changedAt: number;
  /** Observers plus active dependents; > 0 means the cell is kept up to date. */
  activeRefs: number;
  /** value$/grad$ subscribers; replaced, never mutated, so an emission loop can hold the array. */
  observers: readonly Observer<Tensor>[];
  /** Observers that keep what they are handed (all but the borrowing ones): emitting shares the value. */
  keepers: number;
  computes: number;
  /** The value is a buffer this runtime allocated (and may write again once it is replaced). */
  owned: boolean;
  /** The value has been handed out (emitted, returned on subscribe, in a snapshot): never written again. */
  shared: boolean;
  /** A buffer of this runtime that nothing else holds: the next compute writes into it. */
  spare: Tensor | undefined;
  /** The value's symbolic shape (a dimension may be the batch size `m`), for allocating its buffers. */
  readonly dims: Shape | undefined;
  /** What the running transaction overwrote, restored if it fails. */
  prevValue: Tensor | undefined;
  prevNum: number;
  prevIsNum: boolean;
  prevOwned: boolean;
  prevShared: boolean;
  prevChangedAt: number;
  /** For a source: the plan of a transaction that changes this source alone. */
  plan: Plan | undefined;
  /** Stamp of the last plan walk that reached this cell. */
  visited: number;
  /** For a source: the declared shape. */
  readonly shape: Shape | undefined;
}

/** What a transaction changing a given set of sources does, valid while no subscription changes. */
interface Plan {
  readonly version: number;
  /** The active cells downstream of the sources, in topological order: recomputed once each. */
  readonly cells: Cell[];
  /** The sources and cells with observers, in topological order: emitted once each, after computing. */
  readonly emit: Cell[];
}

export interface RuntimeInit {
  inputs?: Record<string, TensorLike>;
  params?: Record<string, TensorLike>;
  /** Seed for params (and inputs) that are not given. Default 1. */
  seed?: number;
  /** Batch size of the random inputs used for inputs that are not given. Default 4. */
  m?: number;
  /**
   * The bytes its values and gradients may take (and the previous ones, kept while a transaction runs), at
   * the batch size it starts with and at every batch size set later. Over it, creating the runtime or the
   * transaction that changes m throws GradstreamError "MEMORY" before allocating. Default 1 GiB.
   */
  maxMemory?: number;
}

export interface RuntimeStats {
  epoch: number;
  /** Times each cell was computed: `<id>` for values, `grad:<id>` for gradients. */
  computes: Record<string, number>;
}

export interface Runtime {
  readonly graph: Graph;
  /** The current value on subscribe, then once per transaction that changes it. */
  value$(id: string, options?: ObserveOptions): Observable<Tensor>;
  /** dJ/d(id), same rules. */
  grad$(id: string, options?: ObserveOptions): Observable<Tensor>;
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

/** A transaction's changes: source cells and their new values, index for index, each source once. */
interface Changes {
  cells: Cell[];
  values: Tensor[];
}

/**
 * Wires a graph into a live runtime. Inputs and params not given in `init` are drawn at random (inputs
 * with batch size `m`, default 4) or from the graph's `init` with `seed`.
 */
export function createRuntime(graph: Graph, init: RuntimeInit = {}): Runtime {
  checkRuntimeInit(graph, init);
  const seed = init.seed ?? 1;
  const file = graph.source;

  // ---- build the cells --------------------------------------------------------------------------------
  const cells = new Map<string, Cell>();
  const newCell = (key: string, id: string, kind: Cell["kind"], shape?: Shape): Cell => {
    const c: Cell = {
      key, id, kind, rank: 0, deps: [], dependents: [], compute: noCompute,
      value: undefined, num: NaN, isNum: false, verifiedAt: -1, changedAt: -1, activeRefs: 0, observers: [], keepers: 0, computes: 0,
      owned: false, shared: false, spare: undefined, dims: graph.shapes.get(id),
      prevValue: undefined, prevNum: NaN, prevIsNum: false, prevOwned: false, prevShared: false, prevChangedAt: -1,
      plan: undefined, visited: 0, shape,
    };
    cells.set(key, c);
    return c;
  };
  // A gradient cell of a widely shared param depends on thousands of cells: dedupe with a set per cell.
  const depSets = new Map<Cell, Set<Cell>>();
  const depend = (c: Cell, d: Cell) => {
    let set = depSets.get(c);
    if (!set) depSets.set(c, (set = new Set()));
    if (set.has(d)) return;
    set.add(d);
    c.deps.push(d);
    d.dependents.push(c);
  };

  const ids = allIds(graph);
  const valueCell = new Map<string, Cell>();
  const gradCell = new Map<string, Cell>();
  for (const d of [...graph.inputs, ...graph.params]) valueCell.set(d.id, newCell(d.id, d.id, SOURCE, d.shape));
  for (const node of graph.nodes) {
    const c = newCell(node.id, node.id, FORWARD);
    valueCell.set(node.id, c);
    const op = getOp(node.op)!;
    const operands = node.in.map((ref) => valueCell.get(ref)!);
    for (const o of operands) depend(c, o);
    // One operand array per cell, refilled on each compute (ops read their operands, never keep the array).
    const inputs: Tensor[] = new Array(operands.length);
    const general = () => {
      for (let k = 0; k < operands.length; k++) inputs[k] = tensorOf(operands[k]);
      const buffer = takeBuffer(c);
      let out: Tensor;
      try {
        out = op.forward(inputs, node.attrs, buffer);
      } catch (e) {
        c.spare = buffer; // garbage now, but still nobody else's
        throw computeError(node.id, node.op, e);
      }
      setComputed(c, out, buffer);
    };
    c.compute = general;
    const scalar = op.scalar;
    if (scalar && operands.length <= 2) {
      // Graphs of scalar nodes (the reactive benchmarks, hand-built examples): an elementwise op on [1,1]
      // operands is one call of its scalar function, not a tensor loop; anything larger takes the op.
      const a = operands[0];
      const b = operands[operands.length - 1];
      const attrs = node.attrs;
      c.compute = () => {
        if (!a.isNum || !b.isNum) return general();
        let v: number;
        try {
          v = scalar(a.num, b.num, attrs);
        } catch (e) {
          throw computeError(node.id, node.op, e);
        }
        c.num = v;
        c.isNum = true;
        c.value = undefined;
        c.owned = c.shared = false;
      };
    }
  }

  // Which ids the loss depends on: only their consumers contribute to a gradient.
  const reachesLoss = lossAncestors(graph);
  const nodeById = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodeIndex = new Map(graph.nodes.map((n, i) => [n.id, i]));
  for (const id of ids) gradCell.set(id, newCell(`grad:${id}`, id, GRADIENT));
  for (const id of ids) {
    const g = gradCell.get(id)!;
    const own = valueCell.get(id)!;
    if (id === graph.loss) {
      // dJ/dJ: the loss is a [1,1] scalar (the graph checks it), so this never changes: no deps.
      g.compute = () => setComputed(g, filled(1, 1, 1), undefined);
      continue;
    }
    // The same order as the from-scratch backward (consumers from the last node back, operand slots in
    // order), so a fan-out's contributions are summed in the same order and agree bit for bit.
    const uses = (graph.consumers.get(id) ?? [])
      .filter((u) => reachesLoss.has(u.node))
      .sort((u, v) => nodeIndex.get(v.node)! - nodeIndex.get(u.node)! || u.slot - v.slot);
    if (uses.length === 0) {
      depend(g, own);
      g.compute = () => {
        const { shape } = tensorOf(own);
        setComputed(g, tensor(shape[0], shape[1]), undefined);
      };
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
      const backward = op.backward[slot];
      // One context per term, refilled on each compute, for the same reason as the forward operands.
      const ctx: { inputs: Tensor[]; output: Tensor; grad: Tensor; attrs: BackwardContext["attrs"] } = {
        inputs: new Array(operands.length), output: undefined!, grad: undefined!, attrs: node.attrs,
      };
      return (buffer: Tensor | undefined) => {
        for (let k = 0; k < operands.length; k++) ctx.inputs[k] = tensorOf(operands[k]);
        ctx.output = tensorOf(out);
        ctx.grad = tensorOf(gOut);
        try {
          return backward(ctx, buffer);
        } catch (e) {
          throw computeError(consumerId, `${node.op} backward`, e);
        }
      };
    });
    const term0 = terms[0];
    // The second and later terms of a fan-out are written into scratch of their own, then added.
    const scratch: (Tensor | undefined)[] = terms.map(() => undefined);
    g.compute =
      terms.length === 1
        ? () => {
            const buffer = takeBuffer(g);
            let t: Tensor;
            try {
              t = term0(buffer);
            } catch (e) {
              g.spare = buffer;
              throw e;
            }
            setComputed(g, t, buffer);
          }
        : () => {
            const buffer = takeBuffer(g);
            let acc: Tensor;
            try {
              const first = term0(buffer);
              acc = buffer ?? tensor(first.shape[0], first.shape[1]);
              if (first !== acc) (acc.data as Float64Array).set(first.data);
              for (let k = 1; k < terms.length; k++) {
                const s = scratch[k];
                scratch[k] = s && s.shape[0] === acc.shape[0] && s.shape[1] === acc.shape[1] ? s : tensor(acc.shape[0], acc.shape[1]);
                addInto(acc.data as Float64Array, terms[k](scratch[k]).data);
              }
            } catch (e) {
              g.spare = buffer;
              throw e;
            }
            setComputed(g, acc, acc);
          };
  }
  depSets.clear(); // only needed while wiring
  // Heights: a cell sits one above its highest dep, so height order is a topological order; ranks fix
  // one such order (ties by creation) so plans can be sorted by a number. Kahn's algorithm, not recursion,
  // so a graph thousands of nodes deep does not overflow the stack.
  const allCells = [...cells.values()];
  const height = new Map<Cell, number>();
  const waiting = new Map(allCells.map((c) => [c, c.deps.length]));
  const ready = allCells.filter((c) => c.deps.length === 0);
  for (let i = 0; i < ready.length; i++) {
    const c = ready[i];
    let h = 0;
    for (const d of c.deps) h = Math.max(h, height.get(d)! + 1);
    height.set(c, h);
    for (const u of c.dependents) {
      const left = waiting.get(u)! - 1;
      waiting.set(u, left);
      if (left === 0) ready.push(u);
    }
  }
  allCells
    .map((c, i) => [c, height.get(c)!, i] as const)
    .sort((a, b) => a[1] - b[1] || a[2] - b[2])
    .forEach(([c], rank) => (c.rank = rank));
  const sourceCells = allCells.filter((c) => c.kind === SOURCE);
  const batchSources = sourceCells.filter((c) => c.shape!.includes("m")).length;

  // ---- scheduler state ------------------------------------------------------------------------------
  let epoch = 0;
  let disposed = false;
  /** True while a transaction is computing or emitting: sets then wait for the next transaction. */
  let running = false;
  /** Depth of transaction(fn) calls; sets inside are gathered into `pending`. */
  let batchDepth = 0;
  let pending: Map<Cell, Tensor> | undefined;
  /** Transactions submitted while another ran, in order. */
  const queue: Changes[] = [];
  /** Bumped whenever what is active or observed changes: plans built before are stale. */
  let version = 0;
  let walkStamp = 0;
  /** Plans of transactions changing several sources, by their ranks. */
  const multiPlans = new Map<string, Plan>();
  let lastSnapshot: Snapshot | undefined;
  let snapshotObservers: readonly Observer<Snapshot>[] = [];
  const errorObservers = new Set<(e: GradstreamError) => void>();
  const completers = new Set<() => void>();
  const connections = new Set<Subscription>();
  let m = 0;
  /** Reused by single-source sets outside a transaction (the common case), so they allocate nothing. */
  const single: Changes = { cells: [undefined!], values: [undefined!] };

  // ---- initial sources ------------------------------------------------------------------------------
  {
    const given = new Map<string, Tensor>();
    for (const [section, kind] of [["inputs", "input"], ["params", "param"]] as const) {
      for (const [id, v] of Object.entries(init[section] ?? {})) given.set(id, toTensor(id, v, kind));
    }
    const missingInputs = graph.inputs.filter((d) => !given.has(d.id));
    const firstGiven = graph.inputs.find((d) => given.has(d.id) && d.shape.includes("m"));
    const batch = firstGiven ? given.get(firstGiven.id)!.shape[firstGiven.shape.indexOf("m")] : (init.m ?? 4);
    checkBudget(batch); // before drawing any input or param
    const initial = new Map<string, Tensor>();
    if (missingInputs.length) for (const [id, t] of randomInputs(graph, batch, seed)) if (!given.has(id)) initial.set(id, t);
    const absentParams = new Set(graph.params.filter((p) => !given.has(p.id)).map((p) => p.id));
    for (const [id, t] of initParams(graph, seed, absentParams)) initial.set(id, t);
    for (const [id, t] of given) initial.set(id, t);
    m = bindShapes(graph, initial, file).m;
    for (const [id, t] of initial) {
      const c = valueCell.get(id)!;
      setTensor(c, t);
      c.shared = true; // the caller's (or initParams'): never written
      c.changedAt = 0;
      c.verifiedAt = 0;
    }
  }

  /** What the runtime holds at batch size m, against `maxMemory`: refused before it is allocated. */
  function checkBudget(batch: number): void {
    checkMemoryBudget(runtimeItems(graph, batch), { max: init.maxMemory ?? DEFAULT_MAX_MEMORY, file, holder: "the runtime", m: batch, raise: "the maxMemory option" });
  }

  function toTensor(id: string, v: TensorLike, expected?: "input" | "param"): Tensor {
    const kind = graph.kinds.get(id);
    if (kind === undefined) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is not an input or param of graph ${graph.name}` });
    if (kind === "node") throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is a computed node; only inputs and params can be set` });
    if (expected && kind !== expected) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is ${kind === "input" ? "an input" : "a param"}, not ${expected === "input" ? "an input" : "a param"}` });
    const t = fromNested(v);
    if (typeof t === "string") throw new GradstreamError("DATA_INVALID", { file, node: id, message: t });
    // A hand-made Tensor whose data does not fill its shape would be read out of bounds by every kernel.
    if (t.data.length !== t.shape[0] * t.shape[1]) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' has shape [${t.shape.join(",")}] but ${t.data.length} numbers` });
    return t;
  }

  /**
   * The buffer a cell's next value is written into: its spare when that has the value's shape, else a new
   * one (undefined when the shape cannot be told, and the op allocates its own).
   */
  function takeBuffer(c: Cell): Tensor | undefined {
    const dims = c.dims;
    if (dims === undefined) return undefined;
    const rows = dims[0] === "m" ? m : dims[0], cols = dims[1] === "m" ? m : dims[1];
    if (typeof rows !== "number" || typeof cols !== "number") return undefined;
    const s = c.spare;
    c.spare = undefined;
    return s !== undefined && s.shape[0] === rows && s.shape[1] === cols ? s : tensor(rows, cols);
  }

  function computeError(node: string, what: string, e: unknown): GradstreamError {
    if (e instanceof GradstreamError) return e;
    return new GradstreamError("COMPUTE", { file, node, message: `${what} failed: ${(e as Error)?.message ?? e}` });
  }

  // ---- reading: an active cell is current; an inactive one is verified, recomputed if a dep changed ----
  const current = (c: Cell) => c.kind === SOURCE || c.activeRefs > 0 || c.verifiedAt === epoch;

  function read(root: Cell): Tensor {
    if (current(root)) return tensorOf(root);
    // Depth-first over the cells that are not known current, deps before dependents, with an explicit
    // stack (a deep graph would overflow the call stack). A cell is verified once all its deps are.
    const stack: Cell[] = [root];
    const cursor: number[] = [0];
    while (stack.length) {
      const top = stack.length - 1;
      const c = stack[top];
      if (cursor[top] < c.deps.length) {
        const d = c.deps[cursor[top]++];
        if (!current(d)) stack.push(d), cursor.push(0);
        continue;
      }
      stack.pop();
      cursor.pop();
      let changed = c.value === undefined && !c.isNum;
      for (const d of c.deps) if (d.changedAt > c.verifiedAt) changed = true;
      if (changed) {
        remember(c);
        c.compute();
        retire(c); // no transaction to roll back here
        c.changedAt = epoch;
        c.computes++;
      }
      c.verifiedAt = epoch;
    }
    return tensorOf(root);
  }

  // ---- activation: observed cells and everything they need are kept up to date -----------------------
  // Callers read a cell (verifying it and all it needs) before activating it, so "active" implies "current".
  // Reference counts, walked with an explicit stack for the same reason as read().
  function activate(root: Cell): void {
    const stack = [root];
    while (stack.length) {
      const c = stack.pop()!;
      if (c.activeRefs++ === 0) {
        version++;
        for (const d of c.deps) stack.push(d);
      }
    }
  }
  function deactivate(root: Cell): void {
    const stack = [root];
    while (stack.length) {
      const c = stack.pop()!;
      if (--c.activeRefs === 0) {
        version++;
        // It was current while active; from now on only verifiedAt tells a read that.
        c.verifiedAt = epoch;
        for (const d of c.deps) stack.push(d);
      }
    }
  }

  // ---- plans ------------------------------------------------------------------------------------------
  function planFor(sources: readonly Cell[]): Plan {
    if (sources.length === 1) {
      const s = sources[0];
      if (s.plan?.version !== version) s.plan = buildPlan(sources);
      return s.plan;
    }
    if (multiPlans.size && multiPlans.values().next().value!.version !== version) multiPlans.clear();
    const key = sources.map((s) => s.rank).sort((a, b) => a - b).join(",");
    let plan = multiPlans.get(key);
    if (!plan) {
      plan = buildPlan(sources);
      if (multiPlans.size >= 64) multiPlans.clear(); // many distinct combinations: keep the cache small
      multiPlans.set(key, plan);
    }
    return plan;
  }

  function buildPlan(sources: readonly Cell[]): Plan {
    const stamp = ++walkStamp;
    const reached: Cell[] = [];
    const stack = [...sources];
    while (stack.length) {
      const c = stack.pop()!;
      for (const d of c.dependents) {
        // Inactive cells have no active dependents, so the walk stops there; they verify when read.
        if (d.activeRefs === 0 || d.visited === stamp) continue;
        d.visited = stamp;
        reached.push(d);
        stack.push(d);
      }
    }
    const byRank = (a: Cell, b: Cell) => a.rank - b.rank;
    reached.sort(byRank);
    const emit = [...sources].sort(byRank).concat(reached).filter((c) => c.observers.length > 0);
    return { version, cells: reached, emit };
  }

  // ---- transactions -----------------------------------------------------------------------------------
  /**
   * Checks the new values' shapes against the declarations and returns the batch size they imply; throws
   * one GradstreamError with an issue per mistake, each naming the source.
   */
  function validate(changes: Changes): number {
    let newM = -1;
    let mFrom = "";
    let mSources = 0;
    let issues: Issue[] | undefined;
    for (let i = 0; i < changes.cells.length; i++) {
      const { id, shape: decl } = changes.cells[i];
      const t = changes.values[i];
      let bears = false;
      let fits = true;
      for (let axis = 0; axis < 2; axis++) {
        const d = decl![axis];
        const actual = t.shape[axis];
        if (d !== "m") fits &&= d === actual;
        else if (((bears = true), newM === -1)) (newM = actual), (mFrom = id);
        else if (newM !== actual) (issues ??= []).push({ file, node: id, field: "shape", message: `'${id}' has ${actual} samples (columns), '${mFrom}' has ${newM}: m must agree across inputs` });
      }
      if (!fits) {
        const expected = decl!.map((d) => (d === "m" ? (newM === -1 ? "m" : newM) : d));
        (issues ??= []).push({ file, node: id, field: "shape", message: `'${id}' should be [${expected.join(",")}], got [${t.shape.join(",")}]` });
      }
      if (bears) mSources++;
    }
    // Changing only some of the batch-carrying inputs keeps m; changing all of them may choose a new one.
    if (!issues && newM !== -1 && newM !== m && mSources < batchSources) {
      const kept = sourceCells.find((c) => c.shape!.includes("m") && !changes.cells.includes(c))!;
      issues = [{ file, node: mFrom, field: "shape", message: `'${mFrom}' has ${newM} samples (columns), '${kept.id}' has ${m}: m must agree across inputs (set every input with m in one transaction to change the batch size)` }];
    }
    if (issues) throw new GradstreamError("DATA_INVALID", issues);
    if (newM !== -1 && newM !== m) checkBudget(newM);
    return newM === -1 ? m : newM;
  }

  function commit(changes: Changes): void {
    const newM = validate(changes);
    const plan = planFor(changes.cells);
    const work = plan.cells;
    running = true;
    epoch++;
    const sources = changes.cells;
    for (let i = 0; i < sources.length; i++) {
      const c = sources[i];
      remember(c);
      setTensor(c, changes.values[i]);
      c.owned = false; // the caller's tensor: never written
      c.shared = true;
      c.changedAt = epoch;
    }
    const oldM = m;
    m = newM; // the buffers of this transaction's values are sized by its batch size
    let done = 0;
    try {
      for (; done < work.length; done++) {
        const c = work[done];
        remember(c);
        c.compute();
        c.changedAt = epoch; // verifiedAt is left alone: an active cell is current by being active
        c.computes++;
      }
    } catch (e) {
      // Nothing half-applied: every cell this transaction touched gets its old value back.
      for (let k = 0; k < done; k++) {
        const c = work[k];
        if (c.owned && c.value !== c.prevValue) c.spare = c.value; // written by this transaction only
        restore(c);
        c.computes--;
      }
      for (const c of sources) restore(c);
      m = oldM;
      epoch--;
      running = false;
      throw e;
    }
    for (let k = 0; k < work.length; k++) retire(work[k]);
    for (const c of sources) c.prevValue = undefined;
    // Emit: only now, so every subscriber sees one finished epoch.
    try {
      const emit = plan.emit;
      for (let k = 0; k < emit.length && !disposed; k++) {
        const c = emit[k];
        const observers = c.observers;
        const t = tensorOf(c);
        if (c.keepers > 0) c.shared = true;
        for (let j = 0; j < observers.length; j++) {
          const o = observers[j];
          if (o.since !== epoch) o.subscriber.next(t);
        }
      }
      if (snapshotObservers.length && !disposed) {
        const s = snapshot();
        for (const o of snapshotObservers) if (o.since !== epoch) o.subscriber.next(s);
      }
    } finally {
      running = false;
    }
  }

  /** Runs queued transactions (sets made while another transaction was running) one after another. */
  function drain(): void {
    while (queue.length && !running && !disposed) {
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

  function submit(changes: Changes): void {
    if (running) {
      queue.push(changes); // re-entrant: the next transaction, never interleaved with this one
      return;
    }
    try {
      commit(changes);
    } finally {
      drain();
    }
  }

  function assertLive(): void {
    if (disposed) throw new GradstreamError("DISPOSED", "this runtime has been disposed");
  }

  function sourceCell(id: string, v: TensorLike): [Cell, Tensor] {
    const t = toTensor(id, v);
    return [valueCell.get(id)!, t];
  }

  function set(values: Record<string, TensorLike>): void {
    assertLive();
    checkValues(values, "set");
    const keys = Object.keys(values);
    if (keys.length === 0) return;
    if (batchDepth > 0) {
      const parsed = keys.map((id) => sourceCell(id, values[id]));
      pending ??= new Map();
      for (const [c, t] of parsed) pending.set(c, t);
      return;
    }
    if (keys.length === 1 && !running) {
      const [c, t] = sourceCell(keys[0], values[keys[0]]);
      single.cells[0] = c;
      single.values[0] = t;
      try {
        submit(single);
      } finally {
        single.cells[0] = undefined!;
        single.values[0] = undefined!;
      }
      return;
    }
    const parsed = keys.map((id) => sourceCell(id, values[id]));
    submit({ cells: parsed.map((p) => p[0]), values: parsed.map((p) => p[1]) });
  }

  function transaction(fn: () => void): void {
    assertLive();
    checkFunction(fn, "transaction");
    // A nested transaction that throws takes back only its own sets, like a savepoint.
    const savepoint = batchDepth > 0 && pending ? new Map(pending) : undefined;
    batchDepth++;
    let ok = false;
    try {
      fn();
      ok = true;
    } finally {
      batchDepth--;
      if (!ok) pending = batchDepth > 0 ? savepoint : undefined;
      else if (batchDepth === 0 && pending) {
        const changes = pending;
        pending = undefined;
        if (!disposed) submit({ cells: [...changes.keys()], values: [...changes.values()] });
      }
    }
  }

  // ---- observables --------------------------------------------------------------------------------------
  function cellObservable(c: Cell | undefined, id: string, borrows = false): Observable<Tensor> {
    if (!c) throw new GradstreamError("DATA_INVALID", { file, node: id, message: `'${id}' is not an id of graph ${graph.name}` });
    return new Observable<Tensor>((subscriber) => {
      if (disposed) {
        subscriber.complete();
        return;
      }
      let value: Tensor;
      try {
        value = read(c);
      } catch (e) {
        subscriber.error(e);
        return;
      }
      if (!borrows) c.shared = true;
      activate(c);
      const observer: Observer<Tensor> = { subscriber, since: epoch, borrows };
      c.observers = [...c.observers, observer];
      if (!borrows) c.keepers++;
      version++;
      const complete = () => subscriber.complete();
      completers.add(complete);
      subscriber.next(value);
      return () => {
        completers.delete(complete);
        if (!c.observers.includes(observer)) return; // dispose() already let go of everything
        c.observers = c.observers.filter((o) => o !== observer);
        if (!borrows) c.keepers--;
        version++;
        deactivate(c);
      };
    });
  }

  const snapshot$ = new Observable<Snapshot>((subscriber) => {
    if (disposed) {
      subscriber.complete();
      return;
    }
    let first: Snapshot;
    try {
      first = snapshot();
    } catch (e) {
      subscriber.error(e);
      return;
    }
    for (const c of allCells) activate(c);
    const observer: Observer<Snapshot> = { subscriber, since: epoch };
    snapshotObservers = [...snapshotObservers, observer];
    const complete = () => subscriber.complete();
    completers.add(complete);
    subscriber.next(first);
    return () => {
      completers.delete(complete);
      if (!snapshotObservers.includes(observer)) return;
      snapshotObservers = snapshotObservers.filter((o) => o !== observer);
      for (const c of allCells) deactivate(c);
    };
  });

  const errors$ = new Observable<GradstreamError>((subscriber) => {
    if (disposed) {
      subscriber.complete();
      return;
    }
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
    const base: Snapshot = lastSnapshot ?? { epoch: -1, values: {}, grads: {} };
    // A failed read here (a computation error) leaves the last snapshot as it was.
    const fresh: [string, Tensor, Tensor][] = ids.map((id) => [id, read(valueCell.get(id)!), read(gradCell.get(id)!)]);
    for (const id of ids) valueCell.get(id)!.shared = gradCell.get(id)!.shared = true;
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
    checkId(id, "connect");
    checkSource(source$, id);
    const kind = graph.kinds.get(id);
    if (kind !== "input" && kind !== "param") throw new GradstreamError("DATA_INVALID", { file, node: id, message: kind ? `'${id}' is a computed node; only inputs and params can be connected` : `'${id}' is not an input or param of graph ${graph.name}` });
    const sub = source$.subscribe({
      next: (v) => {
        if (disposed) return;
        try {
          set({ [id]: v });
        } catch (e) {
          report(e);
        }
      },
      // The source failing is not a computation error: name the input it was driving.
      error: (e) => report(e instanceof GradstreamError ? e : new GradstreamError("IO", { file, node: id, message: `the source connected to '${id}' failed: ${(e as Error)?.message ?? e}` })),
    });
    connections.add(sub);
    sub.add(() => connections.delete(sub));
    return sub;
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
    snapshotObservers = [];
    errorObservers.clear();
    queue.length = 0;
    pending = undefined;
    multiPlans.clear();
    for (const c of allCells) {
      c.observers = [];
      c.keepers = 0;
      c.value = undefined;
      c.spare = undefined;
      c.isNum = false;
      c.plan = undefined;
    }
    lastSnapshot = undefined;
  }

  return {
    graph,
    value$: (id, options) => (checkId(id, "value$"), cellObservable(valueCell.get(id), id, options?.borrow)),
    grad$: (id, options) => (checkId(id, "grad$"), cellObservable(gradCell.get(id), id, options?.borrow)),
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

/** Every [1,1] tensor made from a scalar-path number shares one frozen shape. */
const SCALAR_SHAPE: readonly [1, 1] = Object.freeze([1, 1] as const);

/** A cell's value as a Tensor, made (once per value) from its number if it was computed as one. */
function tensorOf(c: Cell): Tensor {
  if (c.value !== undefined) return c.value;
  const data = new Float64Array(1);
  data[0] = c.num;
  return (c.value = { shape: SCALAR_SHAPE, data });
}

/** Keeps what a compute or set is about to replace, so a failing transaction can put it back. */
function remember(c: Cell): void {
  c.prevValue = c.value;
  c.prevNum = c.num;
  c.prevIsNum = c.isNum;
  c.prevOwned = c.owned;
  c.prevShared = c.shared;
  c.prevChangedAt = c.changedAt;
}

/** Puts back what `remember` kept: the transaction failed. */
function restore(c: Cell): void {
  c.value = c.prevValue;
  c.num = c.prevNum;
  c.isNum = c.prevIsNum;
  c.owned = c.prevOwned;
  c.shared = c.prevShared;
  c.changedAt = c.prevChangedAt;
  c.prevValue = undefined;
}

/** After a successful compute: the replaced value becomes the spare if it was ours and never left. */
function retire(c: Cell): void {
  const old = c.prevValue;
  if (old !== undefined && old !== c.value && c.prevOwned && !c.prevShared) c.spare = old;
  c.prevValue = undefined;
}

/**
 * Stores a computed tensor: owned when the op wrote into the buffer the runtime handed it (else that
 * buffer, unused, stays the spare).
 */
function setComputed(c: Cell, t: Tensor, buffer: Tensor | undefined): void {
  setTensor(c, t);
  c.owned = t === buffer;
  c.shared = false;
  if (buffer !== undefined && t !== buffer) c.spare = buffer;
}

/** Stores a computed or given tensor, and its number when it is [1,1] so scalar-path dependents can read it. */
function setTensor(c: Cell, t: Tensor): void {
  c.value = t;
  if (t.data.length === 1) {
    c.num = t.data[0];
    c.isNum = true;
  } else c.isNum = false;
}

function noCompute(): Tensor {
  throw new Error("a source is set, never computed");
}
