/**
 * The explorer's model: the graph and data the server sent, read with the CLI's own code, wired into a
 * live runtime, and the actions the page offers. Every action is one runtime transaction; an invalid one
 * throws a GradstreamError with a message for the page, and the runtime rolls back, so the last good
 * state stays.
 *
 * @example
 * const session = openSession(problem);
 * session.setEntry("X", 0, 1, "0.5");   // J and every gradient recompute
 * session.step("0.1", 10);              // ten gradient-descent steps
 */
import { GradstreamError } from "../src/errors.ts";
import { parseGraph } from "../src/graph/parseGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { bindData, randomBindings, type Bindings } from "../src/data/bindData.ts";
import { randomInputs } from "../src/data/randomInputs.ts";
import { createRuntime, type Runtime } from "../src/runtime/createRuntime.ts";
import type { Snapshot } from "../src/runtime/snapshot.ts";
import { type Tensor, tensor, MAX_ELEMENTS } from "../src/tensor/tensor.ts";
import type { ExplorerProblem } from "../src/view/explorerProblem.ts";

export interface ExplorerSession {
  readonly problem: ExplorerProblem;
  readonly graph: Graph;
  readonly runtime: Runtime;
  /** The batch size of the current inputs. */
  m(): number;
  /** Sets one entry of an input or param from the text a user typed. */
  setEntry(id: string, row: number, col: number, text: string): void;
  /** Sets a whole input or param from JSON nested arrays. */
  setTensor(id: string, json: string): void;
  /** New random inputs with batch size m (params stay). */
  newBatch(mText: string): void;
  /** `count` steps of gradient descent on every param: p ← p − lr·dJ/dp, one transaction each. */
  step(lrText: string, count: number): void;
  /** Gradient-descent steps taken since the start or the last reset. */
  steps(): number;
  /** Back to the data (or random inputs) the server sent, and the initial params. */
  reset(): void;
  dispose(): void;
}

/** The largest batch the page draws at random, so a typo cannot freeze the tab. */
export const MAX_PAGE_BATCH = 4096;

export function openSession(problem: ExplorerProblem): ExplorerSession {
  const graph = parseGraph(problem.graph.text, problem.graph.format, problem.graph.source);
  const initial = initialBindings(problem, graph);
  const runtime = createRuntime(graph, { ...split(graph, initial.values), seed: problem.seed });
  let batches = 0;
  let steps = 0;

  const refuse = (message: string, node?: string, field?: string): never => {
    throw new GradstreamError("DATA_INVALID", { node, field, message });
  };
  const current = (id: string): Tensor => {
    const kind = graph.kinds.get(id);
    if (kind !== "input" && kind !== "param") refuse(`'${id}' is computed from its operands; only inputs and params can be changed`, id);
    return runtime.snapshot().values[id];
  };

  return {
    problem,
    graph,
    runtime,
    m: () => batchSize(graph, runtime.snapshot()),
    setEntry(id, row, col, text) {
      const t = current(id);
      const x = parseNumber(text);
      if (x === undefined) refuse(`${JSON.stringify(text.slice(0, 40))} is not a number; ${id} is unchanged`, id, `[${row}][${col}]`);
      const [rows, cols] = t.shape;
      if (!(row >= 0 && row < rows && col >= 0 && col < cols)) refuse(`[${row}][${col}] is outside ${rows}×${cols}`, id);
      const data = t.data.slice();
      data[row * cols + col] = x!;
      runtime.set({ [id]: tensor(rows, cols, data) });
    },
    setTensor(id, json) {
      current(id);
      let raw: unknown;
      try {
        raw = JSON.parse(json);
      } catch (e) {
        refuse(`not valid JSON (${(e as Error).message}); ${id} is unchanged`, id);
      }
      runtime.set({ [id]: raw as number[][] });
    },
    newBatch(mText) {
      const m = parseNumber(mText);
      if (m === undefined || !Number.isInteger(m) || m < 1 || m > MAX_PAGE_BATCH) refuse(`m must be an integer from 1 to ${MAX_PAGE_BATCH}, got ${JSON.stringify(mText.slice(0, 40))}`, undefined, "m");
      const perSample = Math.max(...graph.inputs.map((d) => d.shape.reduce<number>((n, x) => n * (x === "m" ? 1 : Number(x)), 1)));
      if (perSample * m! > MAX_ELEMENTS) refuse(`m = ${m} would make the inputs too large`, undefined, "m");
      batches++;
      // Each new batch draws with a new seed (seed + k), so asking again at the same m gives new samples.
      const inputs = randomInputs(graph, m!, problem.seed + batches);
      runtime.set(Object.fromEntries(inputs));
    },
    step(lrText, count) {
      const lr = parseNumber(lrText);
      if (lr === undefined || !(lr > 0)) refuse(`the learning rate must be a positive number, got ${JSON.stringify(lrText.slice(0, 40))}`, undefined, "learning rate");
      for (let k = 0; k < count; k++) {
        const s = runtime.snapshot();
        const next: Record<string, Tensor> = {};
        for (const p of graph.params) {
          const v = s.values[p.id];
          const g = s.grads[p.id];
          const data = new Float64Array(v.data.length);
          for (let i = 0; i < data.length; i++) data[i] = v.data[i] - lr! * g.data[i];
          next[p.id] = tensor(v.shape[0], v.shape[1], data);
        }
        runtime.set(next);
        steps++;
      }
    },
    steps: () => steps,
    reset() {
      batches = 0;
      steps = 0;
      runtime.set(Object.fromEntries(initial.values));
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

function initialBindings(problem: ExplorerProblem, graph: Graph): Bindings {
  return problem.data ? bindData(problem.data.raw, graph, problem.seed, problem.data.source) : randomBindings(graph, problem.m, problem.seed);
}

function split(graph: Graph, values: ReadonlyMap<string, Tensor>) {
  const inputs: Record<string, Tensor> = {};
  const params: Record<string, Tensor> = {};
  for (const [id, t] of values) (graph.kinds.get(id) === "input" ? inputs : params)[id] = t;
  return { inputs, params };
}
