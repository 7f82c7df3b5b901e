/**
 * The explorer's model: the graph and data the server sent, read with the CLI's own code, wired into a
 * live runtime, and the actions the page offers. Every action is one runtime transaction (a training
 * run, one per step); an invalid one throws a GradstreamError with a message for the page, and the
 * runtime rolls back, so the last good state stays.
 *
 * @example
 * const session = openSession(problem);
 * session.setEntry("X", 0, 1, "0.5");             // J and every gradient recompute
 * session.step("0.1", 10, "adam");                // ten steps of `train`'s adam
 * session.loadData({ source: "moons", m: "200", noise: "0.2", testPercent: "20", seed: "1" });
 * session.testCost();                             // J on the 40 held-out samples
 */
import { GradstreamError } from "../src/errors.ts";
import { parseGraph } from "../src/graph/parseGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { forward } from "../src/graph/evaluate.ts";
import { bindData, randomBindings, type Bindings } from "../src/data/bindData.ts";
import { createRuntime, type Runtime } from "../src/runtime/createRuntime.ts";
import type { Snapshot } from "../src/runtime/snapshot.ts";
import { type Tensor, tensor } from "../src/tensor/tensor.ts";
import type { ExplorerProblem } from "../src/view/explorerProblem.ts";
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from "../src/train/createOptimizer.ts";
import type { Optimizer, ParamState } from "../src/train/optimizer.ts";
import { type BatchInfo, type DataChoice, type DataFile, fileBatch, loadSource, parseNumber, randomBatch, sourcesFor } from "./dataSources.ts";

/** What caused the runtime's latest transaction: the cost chart marks loads and resets. */
export interface Change {
  readonly kind: "start" | "edit" | "step" | "load" | "reset";
  /** A short label for a mark, e.g. "m = 7" or "moons". */
  readonly label: string;
}

export interface ExplorerSession {
  readonly problem: ExplorerProblem;
  readonly graph: Graph;
  readonly runtime: Runtime;
  /** The data sources this graph can take: "data" (when the server sent a file), "random", and the generated 2-D datasets for a classifier on two features. */
  readonly sources: readonly string[];
  /** The batch size of the current inputs. */
  m(): number;
  batch(): BatchInfo;
  change(): Change;
  /** Sets one entry of an input or param from the text a user typed. */
  setEntry(id: string, row: number, col: number, text: string): void;
  /** Sets a whole input or param from JSON nested arrays. */
  setTensor(id: string, json: string): void;
  /** New inputs from the chosen source; params stay. */
  loadData(choice: DataChoice): void;
  /** `count` steps of the optimizer `train` offers under that name, one transaction each. */
  step(lrText: string, count: number, optimizer?: OptimizerName): void;
  /** Optimizer steps taken since the start or the last reset. */
  steps(): number;
  /** The cost on the held-out samples at the current params; undefined without a test set. */
  testCost(): number | undefined;
  /** The held-out samples' inputs (features and targets), if any. */
  testInputs(): Readonly<Record<string, Tensor>> | undefined;
  /** Back to the initial params (and a fresh optimizer); the data stays. */
  reset(): void;
  dispose(): void;
}

export function openSession(problem: ExplorerProblem): ExplorerSession {
  const graph = parseGraph(problem.graph.text, problem.graph.format, problem.graph.source);
  const initial = initialBindings(problem, graph);
  const { inputs: initialInputs, params: initialParams } = split(graph, initial.values);
  const runtime = createRuntime(graph, { inputs: initialInputs, params: initialParams, seed: problem.seed });
  const file: DataFile | undefined = problem.data ? { source: problem.data.source, inputs: initialInputs, m: initial.m } : undefined;
  const sources = sourcesFor(graph, file);
  let steps = 0;
  let change: Change = { kind: "start", label: "start" };
  let batch: BatchInfo = file ? fileBatch(file) : randomBatch(initial.m, problem.seed);
  let edited = new Set<string>();
  let test: Readonly<Record<string, Tensor>> | undefined;
  let testMemo: { epoch: number; cost: number } | undefined;
  let optimizer: { name: OptimizerName; lr: number; opt: Optimizer; slots?: ParamState["slots"]; taken: number } | undefined;

  const refuse = (message: string, node?: string, field?: string): never => {
    throw new GradstreamError("DATA_INVALID", { node, field, message });
  };
  const current = (id: string): Tensor => {
    const kind = graph.kinds.get(id);
    if (kind !== "input" && kind !== "param") refuse(`'${id}' is computed from its operands; only inputs and params can be changed`, id);
    return runtime.snapshot().values[id];
  };
  /** Runs one transaction, recording its cause first (the page's subscriber reads it as the snapshot arrives). */
  const apply = (cause: Change, values: Record<string, Tensor | number[][]>) => {
    const before = change;
    change = cause;
    try {
      runtime.set(values);
    } catch (e) {
      change = before;
      throw e;
    }
  };
  const markEdited = (id: string) => {
    if (graph.kinds.get(id) === "input") edited.add(id);
  };

  return {
    problem,
    graph,
    runtime,
    sources,
    m: () => batchSize(graph, runtime.snapshot()),
    batch: () => (edited.size ? { ...batch, text: `${batch.text} · ${[...edited].join(", ")} edited` } : batch),
    change: () => change,
    setEntry(id, row, col, text) {
      const t = current(id);
      const x = parseNumber(text);
      if (x === undefined) refuse(`${JSON.stringify(text.slice(0, 40))} is not a number; ${id} is unchanged`, id, `[${row}][${col}]`);
      const [rows, cols] = t.shape;
      if (!(row >= 0 && row < rows && col >= 0 && col < cols)) refuse(`[${row}][${col}] is outside ${rows}×${cols}`, id);
      const data = t.data.slice();
      data[row * cols + col] = x!;
      apply({ kind: "edit", label: `${id}[${row}][${col}]` }, { [id]: tensor(rows, cols, data) });
      markEdited(id);
    },
    setTensor(id, json) {
      current(id);
      let raw: unknown;
      try {
        raw = JSON.parse(json);
      } catch (e) {
        refuse(`not valid JSON (${(e as Error).message}); ${id} is unchanged`, id);
      }
      apply({ kind: "edit", label: id }, { [id]: raw as number[][] });
      markEdited(id);
    },
    loadData(choice) {
      const loaded = loadSource(graph, choice, file);
      apply({ kind: "load", label: loaded.label }, loaded.inputs);
      batch = loaded.batch;
      test = loaded.test;
      edited = new Set();
      testMemo = undefined;
    },
    step(lrText, count, name = "sgd") {
      const lr = parseNumber(lrText);
      if (lr === undefined || !(lr > 0)) refuse(`the learning rate must be a positive number, got ${JSON.stringify(lrText.slice(0, 40))}`, undefined, "learning rate");
      if (!OPTIMIZER_NAMES.includes(name)) refuse(`unknown optimizer '${name}'; choose one of ${OPTIMIZER_NAMES.join(", ")}`, undefined, "optimizer");
      // A new learning rate keeps the optimizer's slots (velocity, moments); another optimizer starts afresh.
      if (!optimizer || optimizer.name !== name) optimizer = { name, lr: lr!, opt: createOptimizer(name, { lr }), taken: 0 };
      else if (optimizer.lr !== lr) optimizer = { ...optimizer, lr: lr!, opt: createOptimizer(name, { lr }) };
      for (let k = 0; k < count; k++) {
        const s = runtime.snapshot();
        // The params are read from the runtime at each step, so an edit between steps is trained from.
        const params: Record<string, Tensor> = {};
        const grads: Record<string, Tensor> = {};
        for (const p of graph.params) (params[p.id] = s.values[p.id]), (grads[p.id] = s.grads[p.id]);
        const state: ParamState = optimizer.slots ? { step: optimizer.taken, params, slots: optimizer.slots } : optimizer.opt.init(params);
        const next = optimizer.opt.step(state, grads);
        apply({ kind: "step", label: "step" }, { ...next.params });
        optimizer.slots = next.slots;
        optimizer.taken = next.step;
        steps++;
      }
    },
    steps: () => steps,
    testCost() {
      if (!test) return undefined;
      const s = runtime.snapshot();
      if (testMemo?.epoch === s.epoch) return testMemo.cost;
      const bindings = new Map<string, Tensor>(Object.entries(test));
      for (const p of graph.params) bindings.set(p.id, s.values[p.id]);
      const cost = forward(graph, bindings).get(graph.loss)!.data[0];
      testMemo = { epoch: s.epoch, cost };
      return cost;
    },
    testInputs: () => test,
    reset() {
      apply({ kind: "reset", label: "reset" }, { ...initialParams });
      steps = 0;
      optimizer = undefined;
    },
    dispose: () => runtime.dispose(),
  };
}

/** The batch size: the column count of the first input declared with m columns (1 if none is). */
export function batchSize(graph: Graph, s: Snapshot): number {
  for (const d of graph.inputs) {
    const axis = d.shape.indexOf("m");
    if (axis >= 0) return s.values[d.id].shape[axis];
  }
  return 1;
}

function initialBindings(problem: ExplorerProblem, graph: Graph): Bindings {
  return problem.data ? bindData(problem.data.raw, graph, problem.seed, problem.data.source) : randomBindings(graph, problem.m, problem.seed);
}

function split(graph: Graph, values: ReadonlyMap<string, Tensor>) {
  const inputs: Record<string, Tensor> = {};
  const params: Record<string, Tensor> = {};
  for (const [id, t] of values) (graph.kinds.get(id) === "input" ? inputs : params)[id] = t;
  return { inputs, params };
}
