/**
 * Binds a data file (JSON: `{ inputs: { X: [[...]] }, params: { W1: [[...]] } }`) for a graph: every tensor
 * checked (numbers, not ragged, declared, the right shape), m read from the inputs, absent params drawn
 * from the graph's `init` with the seed. All problems are reported together.
 *
 * @example
 * const { values, m } = bindData({ inputs: { X: [[0.1, 0.2]], Y: [[0, 1]] } }, graph, 1, "inline");
 */
import { GradstreamError, type Issue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { bindShapes } from "../graph/bindShapes.ts";
import { fromNested, type Tensor } from "../tensor/tensor.ts";
import { initParams } from "./initParams.ts";
import { OUTPUT_FIELDS, dataFileReader, type DataFileContents, type DataReaderOptions } from "./dataFileReader.ts";
import { DEFAULT_MAX_MEMORY } from "../graph/memoryBudget.ts";
import { randomInputs } from "./randomInputs.ts";
import { weightIssues } from "./weightIssues.ts";

/** Data files larger than this are refused before they are read. */
export const MAX_DATA_FILE_BYTES = 512 * 1024 * 1024;

export interface Bindings {
  /** Every input and param of the graph. */
  values: Map<string, Tensor>;
  m: number;
}

/** Limits on reading a data file: the memory budget, and the command's own check of m (see dataFileReader). */
export type DataOptions = Omit<DataReaderOptions, "file">;

/**
 * Reads a data file's JSON text and binds it to the graph (`bindData`'s checks, and more: a key repeated in
 * one object is refused, as in graph files, and the tensors are kept within `maxMemory`, default 1 GiB). A
 * syntax error names the file and the line. The browser loader (`loadData(url)`) ends here; the Node loader
 * streams the file through the same reader without holding its text.
 */
export function parseData(text: string, graph: Graph, seed = 1, file?: string, options: DataOptions = {}): Bindings {
  const reader = dataFileReader(graph, { ...options, maxMemory: options.maxMemory ?? DEFAULT_MAX_MEMORY, file });
  for (const chunk of utf8Chunks(text)) reader.write(chunk);
  return completeBindings(reader.end(), graph, seed, file);
}

/** The checks of a data file (numbers, not ragged, declared, the right shapes), on an already parsed object. */
export function bindData(raw: unknown, graph: Graph, seed = 1, file?: string): Bindings {
  const issues: Issue[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new GradstreamError("DATA_INVALID", { file, message: "a data file is an object { inputs: {...}, params: {...} }" });
  }
  const values = new Map<string, Tensor>();
  const top = isCommandOutput(raw) ? sectionsOfOutput(raw, graph, file, issues) : (raw as Record<string, unknown>);
  for (const key of Object.keys(top)) if (key !== "inputs" && key !== "params") issues.push({ file, field: key, message: `unknown field '${key}' (a data file has inputs and params)` });
  for (const section of ["inputs", "params"] as const) {
    const entries = top[section];
    if (entries === undefined) continue;
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      issues.push({ file, field: section, message: `${section} must be an object of id → nested arrays` });
      continue;
    }
    const kind = section === "inputs" ? "input" : "param";
    for (const id of Object.keys(entries)) {
      if (graph.kinds.get(id) !== kind) {
        const actual = graph.kinds.get(id);
        issues.push({ file, node: id, field: `${section}.${id}`, message: actual ? `'${id}' is ${actual === "input" ? "an input" : `a ${actual}`} of the graph, not ${kind === "input" ? "an input" : "a param"}` : `'${id}' is not ${kind === "input" ? "an input" : "a param"} of graph ${graph.name}` });
        continue;
      }
      const t = fromNested((entries as Record<string, unknown>)[id]);
      if (typeof t === "string") issues.push({ file, node: id, field: `${section}.${id}`, message: t });
      else values.set(id, t);
    }
  }
  return completeBindings({ values, issues }, graph, seed, file);
}

/**
 * From a data file's tensors and mistakes to bindings: every input present, absent params drawn from the
 * graph's init with the seed, every shape checked against the graph (m read from the inputs).
 */
export function completeBindings({ values, issues }: DataFileContents, graph: Graph, seed: number, file?: string): Bindings {
  const named = new Set(issues.map((i) => i.node));
  const missingInputs = graph.inputs.filter((d) => !values.has(d.id) && !named.has(d.id));
  for (const d of missingInputs) issues.push({ file, node: d.id, field: `inputs.${d.id}`, message: `input '${d.id}' is missing` });
  if (issues.length) throw new GradstreamError("DATA_INVALID", issues);

  const absent = new Set(graph.params.filter((p) => !values.has(p.id)).map((p) => p.id));
  for (const [id, t] of initParams(graph, seed, absent)) values.set(id, t);
  const { m } = bindShapes(graph, values, file);
  const negative = weightIssues(graph, values, file);
  if (negative.length) throw new GradstreamError("DATA_INVALID", negative);
  return { values, m };
}

/** UTF-8 bytes of `text` in pieces of at most 64 Ki characters, never splitting a surrogate pair. */
function* utf8Chunks(text: string): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + 65536);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield encoder.encode(text.slice(at, end));
    at = end;
  }
}

/** Bindings without a data file: random inputs of batch size m (targets shaped for their loss) and params from init. */
export function randomBindings(graph: Graph, m: number, seed = 1): Bindings {
  if (!Number.isInteger(m) || m < 1) throw new GradstreamError("USAGE", { file: graph.source, message: `randomBindings: the batch size m is an integer from 1 on, got ${m}` });
  const values = new Map<string, Tensor>([...randomInputs(graph, m, seed), ...initParams(graph, seed)]);
  bindShapes(graph, values);
  return { values, m };
}


/** A `--json` output of `run` or `grad`, rather than a data file: it has `values` and no `inputs`/`params`. */
function isCommandOutput(raw: object): raw is Record<string, unknown> {
  return Object.hasOwn(raw, "values") && !Object.hasOwn(raw, "inputs") && !Object.hasOwn(raw, "params");
}

/**
 * Reads a `run`/`grad` `--json` output as a data file, so an output can be fed back (`grad g.yaml --json >
 * o.json; run g.yaml --data o.json`): its inputs and params are taken from `values`; the nodes' values and
 * every gradient are results, recomputed, so they are ignored. An id that is not in the graph, or an output
 * of another graph, is a mistake and reported.
 */
function sectionsOfOutput(raw: Record<string, unknown>, graph: Graph, file: string | undefined, issues: Issue[]): Record<string, unknown> {
  for (const key of Object.keys(raw)) if (!OUTPUT_FIELDS.has(key)) issues.push({ file, field: key, message: `unknown field '${key}' (a --json output has ${[...OUTPUT_FIELDS].join(", ")})` });
  if (raw.graph !== undefined && raw.graph !== graph.name) issues.push({ file, field: "graph", message: `this output is of graph '${String(raw.graph)}', not '${graph.name}'` });
  const all = raw.values;
  if (typeof all !== "object" || all === null || Array.isArray(all)) {
    issues.push({ file, field: "values", message: "values must be an object of id → { shape, data }" });
    return {};
  }
  const inputs: Record<string, unknown> = {}, params: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(all)) {
    const kind = graph.kinds.get(id);
    if (kind === "input") inputs[id] = value;
    else if (kind === "param") params[id] = value;
    else if (kind === undefined) issues.push({ file, node: id, field: `values.${id}`, message: `'${id}' is not an input, param or node of graph ${graph.name}` });
  }
  return { inputs, params };
}
