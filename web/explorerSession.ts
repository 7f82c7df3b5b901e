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
import { bindData, randomBindings, type Bindings } from "../src/data/loadData.ts";
import { randomInputs } from "../src/data/randomInputs.ts";
import { createRuntime, type Runtime } from "../src/runtime/createRuntime.ts";
import type { Snapshot } from "../src/runtime/snapshot.ts";
import { type Tensor, tensor, MAX_ELEMENTS } from "../src/tensor/tensor.ts";
import type { ExplorerProblem } from "../src/view/explorerProblem.ts";
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from "../src/train/createOptimizer.ts";
import type { Optimizer, ParamState } from "../src/train/optimizer.ts";
import { trainingRoles, type TrainingRoles } from "../src/train/trainingRoles.ts";
import { isClassifier } from "../src/train/predictClasses.ts";
import { bindTrainingSet } from "../src/train/bindTrainingSet.ts";
import { DATASET_NAMES, generateDataset } from "../src/datasets/generateDataset.ts";
import { holdOut } from "./holdOut.ts";

/** What the inputs hold now, for the page's header. */
export interface BatchInfo {
  readonly source: "data" | "random" | string;
  /** e.g. "data file data/planar_flower.json · m = 400", "random batch · m = 10 · seed 4". */
  readonly text: string;
  readonly m: number;
  /** Held-out samples, when the data is a generated dataset with a test share. */
  readonly test?: number;
}

/** What caused the runtime's latest transaction: the cost chart marks loads and resets. */
export interface Change {
  readonly kind: "start" | "edit" | "step" | "load" | "reset";
  /** A short label for a mark, e.g. "m = 7" or "moons". */
  readonly label: string;
}

/** A data source chosen in the page, as typed: validated by `loadData`. */
export interface DataChoice {
  /** "data", "random", or a dataset name (flower, moons, circles, xor, spiral). */
  readonly source: string;
  readonly m: string;
  readonly seed: string;
  readonly noise?: string;
  readonly testPercent?: string;
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

/** The largest batch the page draws, so a typo cannot freeze the tab. */
export const MAX_PAGE_BATCH = 4096;

export function openSession(problem: ExplorerProblem): ExplorerSession {
  const graph = parseGraph(problem.graph.text, problem.graph.format, problem.graph.source);
  const initial = initialBindings(problem, graph);
  const { inputs: initialInputs, params: initialParams } = split(graph, initial.values);
  const runtime = createRuntime(graph, { inputs: initialInputs, params: initialParams, seed: problem.seed });
  const roles = datasetRoles(graph);
  const sources = [...(problem.data ? ["data"] : []), "random", ...(roles ? DATASET_NAMES : [])];
  let steps = 0;
  let change: Change = { kind: "start", label: "start" };
  let batch: BatchInfo = problem.data
    ? { source: "data", text: `data file ${problem.data.source} · m = ${initial.m}`, m: initial.m }
    : { source: "random", text: randomText(initial.m, problem.seed), m: initial.m };
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
  const integer = (text: string, what: string, lo: number, hi: number): number => {
    const x = parseNumber(text);
    if (x === undefined || !Number.isInteger(x) || x < lo || x > hi) refuse(`${what} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(text.slice(0, 40))}`, undefined, what);
    return x!;
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
      if (!sources.includes(choice.source)) refuse(`'${choice.source}' is not a data source for graph ${graph.name}; choose one of ${sources.join(", ")}`, undefined, "source");
      if (choice.source === "data") {
        const values = Object.fromEntries([...initial.values].filter(([id]) => graph.kinds.get(id) === "input"));
        apply({ kind: "load", label: "data file" }, values);
        batch = { source: "data", text: `data file ${problem.data!.source} · m = ${initial.m}`, m: initial.m };
        test = undefined;
      } else if (choice.source === "random") {
        const m = integer(choice.m, "m", 1, MAX_PAGE_BATCH);
        const seed = integer(choice.seed, "seed", 0, 2 ** 31 - 1);
        const perSample = Math.max(...graph.inputs.map((d) => d.shape.reduce<number>((n, x) => n * (x === "m" ? 1 : Number(x)), 1)));
        if (perSample * m > MAX_ELEMENTS) refuse(`m = ${m} would make the inputs too large`, undefined, "m");
        apply({ kind: "load", label: `m = ${m}` }, Object.fromEntries(randomInputs(graph, m, seed)));
        batch = { source: "random", text: randomText(m, seed), m };
        test = undefined;
      } else {
        const points = integer(choice.m, "points", 2, MAX_PAGE_BATCH);
        const seed = integer(choice.seed, "seed", 0, 2 ** 31 - 1);
        const noise = parseNumber(choice.noise ?? "");
        if (noise === undefined || noise < 0 || noise > 10) refuse(`noise must be a number from 0 to 10, got ${JSON.stringify((choice.noise ?? "").slice(0, 40))}`, undefined, "noise");
        const percent = parseNumber(choice.testPercent ?? "0");
        if (percent === undefined || percent < 0 || percent > 90) refuse(`the test share must be a percentage from 0 to 90, got ${JSON.stringify((choice.testPercent ?? "").slice(0, 40))}`, undefined, "test %");
        const targetRows = graph.shapes.get(roles!.target)![0];
        const set = generateDataset(choice.source, { m: points, seed, noise: noise!, classes: typeof targetRows === "number" && targetRows > 1 ? targetRows : 2 });
        const parts = holdOut(set, percent! / 100, seed);
        apply({ kind: "load", label: choice.source }, bindTrainingSet(graph, parts.train));
        test = parts.test ? bindTrainingSet(graph, parts.test) : undefined;
        const m = parts.train.labels.length;
        const held = parts.test?.labels.length;
        batch = { source: choice.source, text: `${choice.source} (noise ${noise}, seed ${seed}) · m = ${m} training samples${held ? ` · ${held} held out for the test cost` : ""}`, m, ...(held ? { test: held } : {}) };
      }
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

/** A number as people type it ("0.5", "-1e-3"); undefined for anything else, including "". */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}

/** The training roles of a classifier on two features, the graphs the generated 2-D datasets fit; else undefined. */
export function datasetRoles(graph: Graph): TrainingRoles | undefined {
  let roles: TrainingRoles;
  try {
    roles = trainingRoles(graph);
  } catch {
    return undefined;
  }
  if (!roles.features || !isClassifier(roles.lossOp)) return undefined;
  const [rows, cols] = graph.shapes.get(roles.features)!;
  const [, targetCols] = graph.shapes.get(roles.target)!;
  return rows === 2 && cols === "m" && targetCols === "m" ? roles : undefined;
}

function randomText(m: number, seed: number): string {
  return `random batch · m = ${m} · seed ${seed}`;
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
