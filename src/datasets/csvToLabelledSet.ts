/**
 * Reads CSV text into a labelled set: a header row naming the columns, one column of labels (chosen by
 * name; the last column by default) and numeric features in all the others, transposed into `[features, m]`
 * (columns are samples). Labels that are all numbers are kept as numbers (class indices, 0/1, or real
 * targets); labels with any non-number are class names, numbered in sorted order. Every ragged row and
 * non-numeric feature is reported with its line and column, up to a limit, in one error.
 *
 * @example
 * const set = csvToLabelledSet(text, "data/iris.csv", { label: "species" });
 * set.X.shape // [4, 150]; set.classNames // ["setosa", "versicolor", "virginica"]
 */
import { GradstreamError, type Issue } from "../errors.ts";
import { MAX_ELEMENTS, tensor } from "../tensor/tensor.ts";
import type { LabelledSet } from "./labelledSet.ts";
import { parseCsv } from "./parseCsv.ts";

/** Issues reported before giving up: a file with a thousand bad lines needs the first few, not all. */
const MAX_ISSUES = 20;

export interface CsvOptions {
  /** The name of the label column (from the header). Default: the last column. */
  label?: string;
}


export function csvToLabelledSet(text: string, file: string, options: CsvOptions = {}): LabelledSet {
  const records = parseCsv(text, file);
  if (records.length === 0) throw new GradstreamError("DATA_INVALID", { file, message: "the file is empty; a CSV needs a header row naming its columns, then one row per sample" });
  const [header, ...rows] = records;
  const columns = header.fields.map((name) => name.trim());
  const labelName = options.label ?? columns[columns.length - 1];
  const labelCol = columns.indexOf(labelName);
  if (labelCol < 0) throw new GradstreamError("DATA_INVALID", { file, line: header.line, message: `no column named '${labelName}' for the labels; the columns are ${columns.map((c) => `'${c}'`).join(", ")}` });
  if (columns.length < 2) throw new GradstreamError("DATA_INVALID", { file, line: header.line, message: "a CSV for training needs at least two columns: features and a label" });
  if (rows.length === 0) throw new GradstreamError("DATA_INVALID", { file, message: "the file has a header but no rows of data" });
  const features = columns.length - 1;
  const m = rows.length;
  if (features * m > MAX_ELEMENTS) throw new GradstreamError("DATA_INVALID", { file, message: `${features}×${m} exceeds the limit of ${MAX_ELEMENTS} elements` });

  const issues: Issue[] = [];
  const add = (issue: Issue) => {
    if (issues.length < MAX_ISSUES) issues.push({ file, ...issue });
  };
  const X = new Float64Array(features * m);
  const rawLabels: string[] = new Array(m);
  const lines = new Int32Array(m);
  rows.forEach(({ line, fields }, j) => {
    lines[j] = line;
    if (fields.length !== columns.length) {
      add({ line, message: `${fields.length} fields, the header has ${columns.length} (ragged row)` });
      return;
    }
    let f = 0;
    fields.forEach((raw, c) => {
      if (c === labelCol) {
        rawLabels[j] = raw.trim();
        return;
      }
      const value = parseNumber(raw);
      if (value === undefined) add({ line, field: columns[c], message: `column '${columns[c]}': ${JSON.stringify(raw)} is not a number` });
      else X[f * m + j] = value;
      f++;
    });
  });
  if (issues.length) throw new GradstreamError("DATA_INVALID", issues);

  const { labels, classes, classNames } = readLabels(rawLabels, lines, labelName, file);
  return { name: file, X: tensor(features, m, X), labels, classes, classNames, source: { file, lines } };
}

/** A finite number written in the usual decimal or exponent notation; anything else is undefined. */
function parseNumber(raw: string): number | undefined {
  const s = raw.trim();
  // Number("") is 0 and Number("0x10") is 16: neither is a number a CSV writer meant.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

function readLabels(raw: readonly string[], lines: Int32Array, column: string, file: string): Pick<LabelledSet, "labels" | "classes" | "classNames"> {
  const numbers = raw.map(parseNumber);
  const firstName = numbers.findIndex((v) => v === undefined);
  if (firstName < 0) {
    const labels = Float64Array.from(numbers as number[]);
    // Non-negative integers may be class indices; anything else can only be a regression target.
    let integral = true, largest = 0;
    for (const v of labels) (integral &&= Number.isInteger(v) && v >= 0), (largest = Math.max(largest, v));
    return { labels, classes: integral ? largest + 1 : 0 };
  }
  const empty = raw.findIndex((s) => s === "");
  if (empty >= 0) throw new GradstreamError("DATA_INVALID", { file, line: lines[empty], field: column, message: `the label column '${column}' is empty` });
  const classNames = [...new Set(raw)].sort();
  const index = new Map(classNames.map((name, k) => [name, k]));
  return { labels: Float64Array.from(raw, (s) => index.get(s)!), classes: classNames.length, classNames };
}
