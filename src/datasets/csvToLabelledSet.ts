/**
 * Reads CSV into a labelled set: a header row naming the columns, one column of labels (chosen by name; the
 * last column by default) and numeric features in all the others, transposed into `[features, m]` (columns
 * are samples). Labels that are all numbers are kept as numbers (class indices, 0/1, or real targets);
 * labels with any non-number are class names, numbered in sorted order. Every ragged row and non-numeric
 * feature is reported with its line and column, up to a limit, in one error. A header with an empty or a
 * repeated column name is refused (which column is the label would be a guess).
 *
 * Records arrive one at a time (`labelledSetReader`), so a file is read in about the memory of its
 * numbers: each feature's values, then `[features, m]`, within `maxMemory` and at most 2^26 values.
 *
 * @example
 * const set = csvToLabelledSet(text, "data/iris.csv", { label: "species" });
 * set.X.shape // [4, 150]; set.classNames // ["setosa", "versicolor", "virginica"]
 */
import { GradstreamError, type Issue } from "../errors.ts";
import { MAX_ELEMENTS, tensor } from "../tensor/tensor.ts";
import { FloatSink } from "../data/floatSink.ts";
import { formatBytes } from "../graph/memoryBudget.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { csvScanner } from "./csvScanner.ts";

/** Issues reported before giving up: a file with a thousand bad lines needs the first few, not all. */
const MAX_ISSUES = 20;

export interface CsvOptions {
  /** The name of the label column (from the header). Default: the last column. */
  label?: string;
}

/** Limits on reading a CSV (see dataFileReader's options of the same names). */
export interface CsvLimits {
  /** Bytes the numbers read may take. Default: unlimited (at most 2^26 feature values still holds). */
  maxMemory?: number;
  /** How to raise `maxMemory`, for the message ("--max-memory"). */
  raise?: string;
  /** Called with lower bounds of the number of samples m as they grow (`atLeast`), and with m at the end; throw to refuse. */
  checkBatchSize?: (m: number, atLeast?: boolean) => void;
}

export interface LabelledSetReader {
  /** One record of the file and the line it starts on. */
  record(fields: readonly string[], line: number): void;
  /** The file is complete. */
  finish(): LabelledSet;
}

export function csvToLabelledSet(text: string, file: string, options: CsvOptions & CsvLimits = {}): LabelledSet {
  const reader = labelledSetReader(file, options);
  const csv = csvScanner((fields, line) => reader.record(fields, line), file);
  csv.write(text);
  csv.end();
  return reader.finish();
}

/**
 * The records of a CSV, one at a time, into a labelled set: what `csvToLabelledSet` does for a text, and
 * what the Node loader does for a file streamed through `csvScanner`.
 */
export function labelledSetReader(file: string, options: CsvOptions & CsvLimits = {}): LabelledSetReader {
  const maxMemory = options.maxMemory ?? Infinity;
  const issues: Issue[] = [];
  const add = (issue: Issue) => {
    issues.push({ file, ...issue });
    if (issues.length >= MAX_ISSUES) throw new GradstreamError("DATA_INVALID", [...issues, { file, message: `(stopped after ${MAX_ISSUES} mistakes)` }]);
  };
  let columns: string[] | undefined;
  let headerLine = 0;
  let labelCol = -1;
  let m = 0;
  let checkedAt = 0;
  const sinks: FloatSink[] = [];
  /** Bytes held by every sink: checked against maxMemory before each allocation. */
  const beforeAllocate = (bytes: number) => {
    const held = sinks.reduce((n, s) => n + s.bytes, 0);
    if (held + bytes > maxMemory) throw new GradstreamError("MEMORY", { file, message: `more than ${m} samples of ${columns!.length} columns would take more than the memory budget of ${formatBytes(maxMemory)}${options.raise ? ` (raise it with ${options.raise})` : ""}` });
  };
  const sink = () => {
    const s = new FloatSink(beforeAllocate);
    sinks.push(s);
    return s;
  };
  let features: FloatSink[] = [];
  let row = new Float64Array(0);
  let lines!: FloatSink;
  // Labels: numbers while every label so far is one; from the first that is not, ids of class names.
  let numeric: FloatSink | undefined;
  let names: Map<string, number> | undefined;
  let ids: FloatSink | undefined;
  let firstEmpty: number | undefined;

  const header = (fields: readonly string[], line: number) => {
    columns = fields.map((name) => name.trim());
    headerLine = line;
    const where = { line, message: "" };
    const empty = columns.indexOf("");
    if (empty >= 0) throw new GradstreamError("DATA_INVALID", { file, ...where, message: `column ${empty + 1} of the header has no name; every column needs one (a CSV written with an unnamed index column? write it without the index)` });
    const seen = new Map<string, number>();
    columns.forEach((name, c) => {
      if (seen.has(name)) throw new GradstreamError("DATA_INVALID", { file, ...where, message: `columns ${seen.get(name)! + 1} and ${c + 1} are both named '${name}'; column names must differ` });
      seen.set(name, c);
    });
    const labelName = options.label ?? columns[columns.length - 1];
    labelCol = columns.indexOf(labelName);
    if (labelCol < 0) throw new GradstreamError("DATA_INVALID", { file, line, message: `no column named '${labelName}' for the labels; the columns are ${columns.map((c) => `'${c}'`).join(", ")}` });
    if (columns.length < 2) throw new GradstreamError("DATA_INVALID", { file, line, message: "a CSV for training needs at least two columns: features and a label" });
    features = columns.slice(1).map(sink);
    row = new Float64Array(features.length);
    lines = sink();
    numeric = sink();
  };

  const label = (raw: string, line: number) => {
    const s = raw.trim();
    if (numeric) {
      const v = parseNumber(s);
      if (v !== undefined) return numeric.push(v);
      // The first label that is not a number: every label is a class name, the earlier ones too.
      names = new Map();
      ids = sink();
      const earlier = numeric.finish();
      sinks.splice(sinks.indexOf(numeric), 1);
      numeric = undefined;
      for (const v of earlier) ids.push(nameId(String(v)));
    }
    if (s === "") firstEmpty ??= line;
    ids!.push(nameId(s));
  };
  const nameId = (name: string) => {
    let id = names!.get(name);
    if (id === undefined) names!.set(name, (id = names!.size));
    return id;
  };

  return {
    record(fields, line) {
      if (!columns) return header(fields, line);
      if (fields.length !== columns.length) return add({ line, message: `${fields.length} fields, the header has ${columns.length} (ragged row)` });
      if ((m + 1) * features.length > MAX_ELEMENTS) {
        throw new GradstreamError("MEMORY", { file, line, message: `more than ${m} samples of ${features.length} features: over the limit of ${MAX_ELEMENTS} (2^26) values per tensor` });
      }
      // A row's features are kept only once all of them are numbers, so every feature keeps m values.
      let ok = true;
      for (let c = 0, f = 0; c < fields.length; c++) {
        if (c === labelCol) continue;
        const value = parseNumber(fields[c].trim());
        if (value === undefined) {
          add({ line, field: columns[c], message: `column '${columns[c]}': ${JSON.stringify(fields[c])} is not a number` });
          ok = false;
        } else row[f++] = value;
      }
      if (!ok) return;
      for (let f = 0; f < features.length; f++) features[f].push(row[f]);
      label(fields[labelCol], line);
      lines.push(line);
      m++;
      if (m >= 4096 && m >= 2 * checkedAt) {
        checkedAt = m;
        options.checkBatchSize?.(m, true);
      }
    },
    finish() {
      if (!columns) throw new GradstreamError("DATA_INVALID", { file, message: "the file is empty; a CSV needs a header row naming its columns, then one row per sample" });
      if (issues.length) throw new GradstreamError("DATA_INVALID", issues);
      if (m === 0) throw new GradstreamError("DATA_INVALID", { file, line: headerLine, message: "the file has a header but no rows of data" });
      if (firstEmpty !== undefined) throw new GradstreamError("DATA_INVALID", { file, line: firstEmpty, field: columns[labelCol], message: `the label column '${columns[labelCol]}' is empty` });
      options.checkBatchSize?.(m);
      beforeAllocate(features.length * m * 8);
      const X = new Float64Array(features.length * m);
      features.forEach((s, f) => s.copyInto(X, f * m));
      const sampleLines = Int32Array.from(lines.finish());
      const labels = numeric ? numericLabels(numeric.finish()) : namedLabels(ids!.finish(), names!);
      return { name: file, X: tensor(features.length, m, X), ...labels, source: { file, lines: sampleLines } };
    },
  };
}

/** Non-negative integers may be class indices; anything else can only be a regression target. */
function numericLabels(labels: Float64Array): Pick<LabelledSet, "labels" | "classes"> {
  let integral = true, largest = 0;
  for (const v of labels) (integral &&= Number.isInteger(v) && v >= 0), (largest = Math.max(largest, v));
  return { labels, classes: integral ? largest + 1 : 0 };
}

/** Class names numbered in sorted order. */
function namedLabels(ids: Float64Array, names: ReadonlyMap<string, number>): Pick<LabelledSet, "labels" | "classes" | "classNames"> {
  const classNames = [...names.keys()].sort();
  const rank = new Float64Array(names.size);
  classNames.forEach((name, k) => (rank[names.get(name)!] = k));
  for (let j = 0; j < ids.length; j++) ids[j] = rank[ids[j]];
  return { labels: ids, classes: classNames.length, classNames };
}

/** A finite number written in the usual decimal or exponent notation; anything else is undefined. */
function parseNumber(s: string): number | undefined {
  // Number("") is 0 and Number("0x10") is 16: neither is a number a CSV writer meant.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}
