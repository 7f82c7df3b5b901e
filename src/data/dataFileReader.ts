/**
 * Reads a JSON data file (`{ "inputs": { "X": [[…], …] }, "params": { … } }`) as a stream, straight into
 * float64 tensors: the document is never built, so a file takes about the memory of its tensors. Its
 * numbers are kept only within limits: at most 2^26 elements per tensor, at most `maxMemory` bytes in all,
 * and, as soon as the batch size m can be told (the first row of the first input with m columns, and
 * lower bounds of it while that row is read), `checkBatchSize(m)`, which a command uses to refuse a file
 * whose m it could not hold before keeping the rest. Every tensor is checked as `fromNested` checks one
 * (numbers, rows, the `{ shape, data }` form), and its mistakes are collected, each naming the file, the
 * tensor, the field and the line.
 *
 * @example
 * const reader = dataFileReader(graph, { file: "data.json" });
 * for await (const chunk of createReadStream("data.json")) reader.write(chunk);
 * const { values, issues } = reader.end(); // values: id → Tensor
 */
import { GradstreamError, type Issue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { formatBytes } from "../graph/memoryBudget.ts";
import { MAX_ELEMENTS, tensor, describeValue, type Tensor } from "../tensor/tensor.ts";
import { FloatSink } from "./floatSink.ts";
import { jsonEvents, type JsonHandler, type JsonScalar } from "./jsonEvents.ts";

export interface DataReaderOptions {
  file?: string;
  /** Bytes the file's tensors may take together. Default: unlimited (the per-tensor limit still holds). */
  maxMemory?: number;
  /** How to raise `maxMemory`, for the message ("--max-memory"). */
  raise?: string;
  /**
   * Called with the batch size m as soon as it is known, before the rest of the file is kept, and before
   * that with lower bounds of it (`atLeast`) as it grows; throw to refuse. Called with 1 before reading
   * when the graph has no input with m.
   */
  checkBatchSize?: (m: number, atLeast?: boolean) => void;
}

export interface DataFileContents {
  /** The tensors read, by id; those with a mistake are left out and named in `issues`. */
  values: Map<string, Tensor>;
  /** Mistakes: unknown fields first, then those of the inputs, then of the params, each in file order. */
  issues: Issue[];
}

export interface DataReader {
  /** The next bytes of the file (UTF-8). */
  write(bytes: Uint8Array): void;
  /** The file is complete. */
  end(): DataFileContents;
}

type Section = "inputs" | "params";

/** An open object or array of the document, innermost last, and what its contents are. */
interface Level {
  readonly kind: "top" | "section" | "values" | "skip" | "matrix" | "shape" | "outer" | "row";
  readonly section?: Section;
  readonly t?: TensorState;
  /** This level is the tensor's whole value: the tensor is complete when it closes. */
  readonly root?: boolean;
}

/** Where a tensor was given: a data file's inputs or params, or the `values` of a `--json` output. */
type Source = "data" | "output";

interface TensorState {
  readonly id: string;
  readonly section: Section;
  readonly source: Source;
  /** The axis declared as m ([rows, m] → 1, [m, cols] → 0) while m is not known yet. */
  readonly mAxis: 0 | 1 | undefined;
  readonly sink: FloatSink;
  rows: number;
  cols: number;
  /** Entries of the row being read. */
  j: number;
  /** The first element of the outer array (a number makes the array one flat row). */
  first: unknown;
  flat: boolean;
  /** A bad entry of the row being read: reported when the row ends, unless the row is ragged. */
  pendingEntry: string | undefined;
  /** The { shape, data } form. */
  matrix: boolean;
  shape: number[] | undefined;
  hasData: boolean;
  failed: boolean;
  /** The last lower bound of m checked (they are checked at each doubling). */
  checkedAt: number;
}

export function dataFileReader(graph: Graph, options: DataReaderOptions = {}): DataReader {
  const { file } = options;
  const maxMemory = options.maxMemory ?? Infinity;
  // A file is a data file ({ inputs, params }) or a `run`/`grad` --json output ({ graph, dims, loss, values,
  // grads }), told apart only once every top-level key is seen: both are read, and `end` keeps one.
  const tensors: Record<Source, Map<string, Tensor>> = { data: new Map(), output: new Map() };
  const found: Record<Source, Record<Section, Issue[]>> = { data: { inputs: [], params: [] }, output: { inputs: [], params: [] } };
  const topKeys: { name: string; line: number }[] = [];
  /** Data file: a section that is not an object. Output: ids of `values` the graph does not have, `values` not an object. */
  const sectionIssues: Issue[] = [];
  const outputIssues: Issue[] = [];
  let graphField: { value: unknown; line: number } | undefined;
  const levels: Level[] = [];
  /** Tensors being read, for the over-budget message. */
  const reading = new Map<string, FloatSink>();
  let keptBytes = 0;
  let m: number | undefined;
  let key = "";
  /** The key just read names something to skip: its value is not looked at. */
  let skipNext = false;

  if (!graph.inputs.some((d) => d.shape.includes("m"))) options.checkBatchSize?.(1);

  const handler: JsonHandler = {
    openObject: () => startValue(OBJECT),
    openArray: () => startValue(ARRAY),
    scalar: (v) => startValue(v),
    closeObject: close,
    closeArray: close,
    key(name) {
      key = name;
      const top = levels[levels.length - 1];
      if (top.kind === "top") {
        topKeys.push({ name, line: json.line() });
        skipNext = !["inputs", "params", "values", "graph"].includes(name);
      } else if (top.kind === "section") {
        const kind = top.section === "inputs" ? "input" : "param";
        const actual = graph.kinds.get(name);
        if (actual === kind) return;
        const message = actual ? `'${name}' is ${actual === "input" ? "an input" : `a ${actual}`} of the graph, not ${kind === "input" ? "an input" : "a param"}` : `'${name}' is not ${kind === "input" ? "an input" : "a param"} of graph ${graph.name}`;
        found.data[top.section!].push({ file, node: name, field: `${top.section}.${name}`, line: json.line(), message });
        skipNext = true;
      } else if (top.kind === "values") {
        // A --json output's values: inputs and params are read; nodes' values are results, recomputed.
        const kind = graph.kinds.get(name);
        if (kind === undefined) outputIssues.push({ file, node: name, field: `values.${name}`, line: json.line(), message: `'${name}' is not an input, param or node of graph ${graph.name}` });
        skipNext = kind !== "input" && kind !== "param";
      } else if (top.kind === "matrix" && name !== "shape" && name !== "data") skipNext = true;
    },
  };
  const json = jsonEvents(handler, { file });

  const tensorIssue = (t: TensorState, message: string) => {
    if (t.failed) return;
    t.failed = true;
    reading.delete(t.id);
    found[t.source][t.section].push({ file, node: t.id, field: `${t.section}.${t.id}`, line: json.line(), message });
  };
  const overLimit = (t: TensorState, what: string): never => {
    throw new GradstreamError("MEMORY", { file, node: t.id, field: `${t.section}.${t.id}`, line: json.line(), message: `${what}: over the limit of ${MAX_ELEMENTS} (2^26) elements per tensor` });
  };
  /** m is known (from the tensor's m axis): the command decides whether it can hold that much. */
  const learnM = (t: TensorState, value: number) => {
    if (t.mAxis === undefined || m !== undefined) return;
    m = value;
    options.checkBatchSize?.(value);
  };
  /** While m is being read, each doubling of its lower bound (from 4096 on) is checked. */
  const lowerBound = (t: TensorState, count: number) => {
    if (count < 4096 || count < 2 * t.checkedAt) return;
    t.checkedAt = count;
    options.checkBatchSize?.(count, true);
  };

  function startTensor(id: string, section: Section, source: Source): TensorState {
    const declared = graph.shapes.get(id)!;
    const mAxis = m !== undefined ? undefined : declared[1] === "m" ? 1 : declared[0] === "m" ? 0 : undefined;
    const sink = new FloatSink((bytes) => {
      let held = keptBytes;
      for (const r of reading.values()) held += r.bytes;
      if (held + bytes <= maxMemory) return;
      const what = [...tensors.data, ...tensors.output].map(([name, v]) => `${name} ${formatBytes(v.data.byteLength)}`).concat([...reading].map(([name, r]) => `${name} ${formatBytes(r.bytes)} so far`));
      throw new GradstreamError("MEMORY", { file, node: id, line: json.line(), message: `its tensors would take more than the memory budget of ${formatBytes(maxMemory)}${options.raise ? ` (raise it with ${options.raise})` : ""}; kept: ${what.join(", ")}` });
    });
    const t: TensorState = { id, section, source, mAxis, sink, rows: 0, cols: 0, j: 0, first: undefined, flat: false, pendingEntry: undefined, matrix: false, shape: undefined, hasData: false, failed: false, checkedAt: 0 };
    reading.set(id, sink);
    // The size is known when the graph fixes both dimensions (a param, or an input once m is known).
    const [r, c] = declared.map((d) => (d === "m" ? m : d));
    if (typeof r === "number" && typeof c === "number" && r * c <= MAX_ELEMENTS) sink.expect(r * c);
    return t;
  }

  function finishTensor(t: TensorState): void {
    reading.delete(t.id);
    if (t.failed) return;
    if (t.matrix) {
      const s = t.shape;
      if (!s || !t.hasData) return tensorIssue(t, "expected nested arrays of numbers, got an object");
      if (s[0] !== t.rows || s[1] !== t.cols) return tensorIssue(t, `shape says [${s.join(",")}] but data is [${t.rows},${t.cols}]`);
    }
    const data = t.sink.finish();
    keptBytes += data.byteLength;
    tensors[t.source].set(t.id, tensor(t.rows, t.cols, data));
    learnM(t, t.mAxis === 0 ? t.rows : t.cols);
  }

  function entry(t: TensorState, v: unknown): void {
    const row = t.flat ? 0 : t.rows;
    if (typeof v === "number" && Number.isFinite(v)) {
      if (t.pendingEntry === undefined && (row === 0 || t.j < t.cols)) {
        if (t.sink.length >= MAX_ELEMENTS) overLimit(t, row === 0 ? `row 0 has more than ${MAX_ELEMENTS} entries` : `more than ${MAX_ELEMENTS} elements (${t.rows} rows of ${t.cols} so far)`);
        t.sink.push(v);
      }
    } else t.pendingEntry ??= `entry [${row}][${t.j}] is ${describeValue(v)}, expected a finite number`;
    t.j++;
    if (row === 0 && t.mAxis === 1) lowerBound(t, t.j);
  }

  /** The width of the tensor is known (its first row ended): so is its size, when its rows are declared. */
  function widthKnown(t: TensorState): void {
    const declaredRows = t.shape ? t.shape[0] : graph.shapes.get(t.id)![0];
    const rows = declaredRows === "m" ? m : declaredRows;
    if (typeof rows === "number" && rows > 0 && rows * t.cols <= MAX_ELEMENTS) t.sink.expect(rows * t.cols);
    if (t.mAxis === 1) learnM(t, t.cols);
  }

  function startValue(v: JsonScalar | typeof OBJECT | typeof ARRAY): void {
    const container = v === OBJECT || v === ARRAY;
    const parent = levels[levels.length - 1];
    if (skipNext || parent?.kind === "skip") {
      skipNext = false;
      if (container) levels.push({ kind: "skip" });
      return;
    }
    if (!parent) {
      if (v !== OBJECT) throw new GradstreamError("DATA_INVALID", { file, message: "a data file is an object { inputs: {...}, params: {...} }" });
      return void levels.push({ kind: "top" });
    }
    const t = parent.t!;
    switch (parent.kind) {
      case "top":
        if (container) levels.push({ kind: v === OBJECT && key !== "graph" ? (key === "values" ? "values" : "section") : "skip", section: key as Section });
        if (key === "graph") graphField = { value: container ? (v === ARRAY ? [] : {}) : v, line: json.line() };
        else if (v !== OBJECT) (key === "values" ? outputIssues : sectionIssues).push({ file, field: key, line: json.line(), message: key === "values" ? "values must be an object of id → { shape, data }" : `${key} must be an object of id → nested arrays` });
        return;
      case "values":
      case "section": {
        const nt = parent.kind === "values" ? startTensor(key, graph.kinds.get(key) === "param" ? "params" : "inputs", "output") : startTensor(key, parent.section!, "data");
        if (v === OBJECT) return void ((nt.matrix = true), levels.push({ kind: "matrix", t: nt, root: true }));
        if (v === ARRAY) return void levels.push({ kind: "outer", t: nt, root: true });
        scalarTensor(nt, v);
        return finishTensor(nt);
      }
      case "matrix":
        if (key === "shape") {
          if (v === ARRAY) return void ((t.shape = []), levels.push({ kind: "shape", t }));
          if (container) levels.push({ kind: "skip" }); // not a shape: reported when the object ends
          return;
        }
        t.hasData = true;
        if (v === ARRAY) return void levels.push({ kind: "outer", t });
        if (v === OBJECT) return void (tensorIssue(t, "expected nested arrays of numbers, got an object"), levels.push({ kind: "skip" }));
        return scalarTensor(t, v);
      case "shape":
        // Anything but two integers makes it no shape (and the object no { shape, data } form).
        if (t.shape && !container && typeof v === "number" && Number.isInteger(v) && t.shape.length < 2) t.shape.push(v);
        else t.shape = undefined;
        if (container) levels.push({ kind: "skip" });
        return;
      case "outer":
        if (container) levels.push({ kind: v === ARRAY && !t.failed && !t.flat ? "row" : "skip", t });
        if (t.failed) return;
        if (t.rows === 0 && t.first === undefined) {
          t.first = container ? (v === ARRAY ? [] : {}) : v;
          t.flat = typeof v === "number";
        }
        if (t.flat) return typeof v === "number" ? entry(t, v) : tensorIssue(t, `row 0 is ${describeValue(t.first)}, expected an array of numbers`);
        if (v !== ARRAY) return tensorIssue(t, `row ${t.rows} is ${describeValue(container ? {} : v)}, expected an array of numbers`);
        t.j = 0;
        t.pendingEntry = undefined;
        return;
      case "row":
        if (container) levels.push({ kind: "skip" });
        if (!t.failed) entry(t, container ? (v === ARRAY ? [] : {}) : v);
        return;
    }
  }

  /** A scalar as a tensor's whole value (or a matrix's data): a finite number is a [1,1] tensor. */
  function scalarTensor(t: TensorState, v: JsonScalar): void {
    if (typeof v !== "number") return tensorIssue(t, `expected nested arrays of numbers, got ${describeValue(v)}`);
    if (!Number.isFinite(v)) return tensorIssue(t, `${v} is not a finite number`);
    t.sink.push(v);
    t.rows = t.cols = 1;
  }

  function close(): void {
    const level = levels.pop()!;
    const t = level.t;
    if (t && !t.failed) {
      if (level.kind === "shape" && t.shape) {
        if (t.shape.length !== 2) t.shape = undefined;
        else if (!t.hasData) {
          // A declared size is checked before a number of the data is kept: the limit, then the command's
          // budget at the m it implies, and only then is room made for it.
          const [r, c] = t.shape;
          if (r > 0 && c > 0 && r * c > MAX_ELEMENTS) overLimit(t, `shape [${r},${c}] declares ${r * c} elements`);
          if (t.mAxis !== undefined && t.shape[t.mAxis] > 0) options.checkBatchSize?.(t.shape[t.mAxis], true);
          if (r > 0 && c > 0) t.sink.expect(r * c);
        }
      } else if (level.kind === "row") {
        if (t.rows === 0) {
          if (t.j === 0) tensorIssue(t, "row 0 is empty");
          else (t.cols = t.j), widthKnown(t);
        } else if (t.j !== t.cols) tensorIssue(t, `row ${t.rows} has ${t.j} entries, row 0 has ${t.cols} (ragged)`);
        if (t.pendingEntry) tensorIssue(t, t.pendingEntry);
        if (!t.failed) {
          t.rows++;
          if (t.mAxis === 0) lowerBound(t, t.rows);
        }
      } else if (level.kind === "outer") {
        if (t.flat) {
          if (t.pendingEntry) tensorIssue(t, t.pendingEntry);
          else (t.rows = 1), (t.cols = t.j), widthKnown(t);
        } else if (t.first === undefined) tensorIssue(t, "expected at least one row, got []");
      }
    }
    if (level.root) finishTensor(t!);
  }

  return {
    write: (bytes) => json.write(bytes),
    end() {
      json.end();
      const names = new Set(topKeys.map((k) => k.name));
      if (names.has("values") && !names.has("inputs") && !names.has("params")) {
        const issues: Issue[] = topKeys.filter((k) => !OUTPUT_FIELDS.has(k.name)).map((k) => ({ file, field: k.name, line: k.line, message: `unknown field '${k.name}' (a --json output has ${[...OUTPUT_FIELDS].join(", ")})` }));
        if (graphField && graphField.value !== graph.name) issues.push({ file, field: "graph", line: graphField.line, message: `this output is of graph '${String(graphField.value)}', not '${graph.name}'` });
        return { values: tensors.output, issues: [...issues, ...outputIssues, ...found.output.inputs, ...found.output.params] };
      }
      const unknown = topKeys.filter((k) => k.name !== "inputs" && k.name !== "params").map((k) => ({ file, field: k.name, line: k.line, message: `unknown field '${k.name}' (a data file has inputs and params)` }));
      return { values: tensors.data, issues: [...unknown, ...sectionIssues, ...found.data.inputs, ...found.data.params] };
    },
  };
}

/** The fields of a `run`/`grad` `--json` output, which `--data` takes too. */
export const OUTPUT_FIELDS: ReadonlySet<string> = new Set(["graph", "dims", "convention", "loss", "values", "grads", "predictions"]);

const OBJECT = Symbol("object");
const ARRAY = Symbol("array");
