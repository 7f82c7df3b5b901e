/**
 * How the CLI prints tensors: full float64 precision in JSON (round-trip exact), and a compact, aligned
 * matrix for people, elided past a few rows and columns.
 *
 * @example
 * matrixJson(t)        // { shape: [2, 3], data: [[...], [...]] }
 * formatMatrix(t, 4)   // "[[ 0.1234  -0.5   ...]]"
 */
import { type Tensor, toRows, norm } from "../tensor/tensor.ts";
import { escapeControls, terminalSafeJson } from "../escapeControls.ts";

/**
 * A name or path from a file or the command line (a graph's name, a file name, a CSV class) as printed:
 * control and bidi characters escaped, at most 200 characters. Error messages get the same treatment in
 * `formatIssue`.
 *
 * @example
 * display("planar\x1b]0;pwned\x07") // "planar\\x1b]0;pwned\\x07"
 */
export function display(text: string): string {
  return escapeControls(text, 200);
}

/** `JSON.stringify` for the terminal: the same JSON, with the characters a terminal acts on escaped. */
export function printableJson(value: unknown, replacer?: (key: string, value: unknown) => unknown, indent?: number): string {
  return terminalSafeJson(JSON.stringify(value, replacer, indent));
}

export interface MatrixJson {
  shape: [number, number];
  data: (number | null)[][];
}

/** Non-finite numbers have no JSON form; they are printed as null (and never arise from valid inputs). */
export function matrixJson(t: Tensor): MatrixJson {
  return { shape: [t.shape[0], t.shape[1]], data: toRows(t).map((row) => row.map((x) => (Number.isFinite(x) ? x : null))) };
}

export function mapJson(values: ReadonlyMap<string, Tensor>, ids: readonly string[]): Record<string, MatrixJson> {
  const out: Record<string, MatrixJson> = {};
  for (const id of ids) {
    const t = values.get(id);
    if (t) out[id] = matrixJson(t);
  }
  return out;
}

export function formatNumber(x: number, digits = 6): string {
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return Number(x.toPrecision(digits)).toString();
  return x.toExponential(digits - 1);
}

export function formatMatrix(t: Tensor, maxRows = 6, maxCols = 8): string {
  const [r, c] = t.shape;
  const rows = Math.min(r, maxRows);
  const cols = Math.min(c, maxCols);
  const cells: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < cols; j++) row.push(formatNumber(t.data[i * c + j]));
    if (cols < c) row.push("…");
    cells.push(row);
  }
  const width = Math.max(...cells.flat().map((s) => s.length));
  const lines = cells.map((row) => row.map((s) => s.padStart(width)).join("  "));
  if (rows < r) lines.push(`… (${r - rows} more rows)`);
  return lines.map((l) => "    " + l).join("\n");
}

export function summary(t: Tensor): string {
  const [r, c] = t.shape;
  return r * c === 1 ? formatNumber(t.data[0], 10) : `‖·‖ = ${formatNumber(norm(t))}`;
}
