/**
 * A 2-D float64 tensor, row-major. Columns are samples: `X` is `[features, m]`.
 *
 * @example
 * const x = fromRows([[1, 2, 3], [4, 5, 6]]); // shape [2, 3]
 * x.data[1 * 3 + 2] === 6
 */
export interface Tensor {
  readonly shape: readonly [rows: number, cols: number];
  readonly data: Float64Array;
}

/** Anything a user may hand in for a tensor: a Tensor, or nested number arrays (a flat array is one row). */
export type TensorLike = Tensor | readonly (readonly number[])[] | readonly number[] | number;

/**
 * The largest number of elements one tensor may have (2^26 float64 = 512 MiB). Sizes come from untrusted
 * files, so they are checked against this before anything is allocated.
 */
export const MAX_ELEMENTS = 2 ** 26;

export function tensor(rows: number, cols: number, data?: Float64Array): Tensor {
  const size = rows * cols;
  if (data && data.length !== size) throw new RangeError(`tensor data has ${data.length} elements, shape [${rows},${cols}] needs ${size}`);
  return { shape: [rows, cols], data: data ?? new Float64Array(size) };
}

/**
 * The tensor an op writes its result into: `out` when it is given with this shape (a buffer the caller
 * lets the op overwrite), else a new one of zeros.
 *
 * @example
 * const Z = output(out, n, m); // Z === out when out is [n,m]
 */
export function output(out: Tensor | undefined, rows: number, cols: number): Tensor {
  return out !== undefined && out.shape[0] === rows && out.shape[1] === cols ? out : tensor(rows, cols);
}

export function zeros(rows: number, cols: number): Tensor {
  return tensor(rows, cols);
}

export function filled(rows: number, cols: number, value: number): Tensor {
  return tensor(rows, cols, new Float64Array(rows * cols).fill(value));
}

export function scalar(value: number): Tensor {
  return tensor(1, 1, Float64Array.of(value));
}

export function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && (x as Tensor).data instanceof Float64Array && Array.isArray((x as Tensor).shape);
}

export function size(t: Tensor): number {
  return t.shape[0] * t.shape[1];
}

export function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape[0] === b.shape[0] && a.shape[1] === b.shape[1];
}

export function clone(t: Tensor): Tensor {
  return tensor(t.shape[0], t.shape[1], t.data.slice());
}

/** Nested rows of a tensor, for printing and JSON. */
export function toRows(t: Tensor): number[][] {
  const [r, c] = t.shape;
  const rows: number[][] = new Array(r);
  for (let i = 0; i < r; i++) rows[i] = Array.from(t.data.subarray(i * c, (i + 1) * c));
  return rows;
}

/**
 * Reads nested arrays into a tensor, refusing ragged rows, non-numbers and oversized inputs.
 * Returns an error message instead of throwing so callers can name the file and tensor.
 */
export function fromNested(value: unknown): Tensor | string {
  if (isTensor(value)) return value;
  if (isMatrixJson(value)) {
    // The { shape, data } form that `--json` prints is accepted back, its shape checked against its data.
    // Its data is nested arrays, never another { shape, data }: no recursion, however deep a hostile value.
    const t = fromArrays(value.data);
    if (typeof t === "string") return t;
    return t.shape[0] === value.shape[0] && t.shape[1] === value.shape[1] ? t : `shape says [${value.shape.join(",")}] but data is [${t.shape.join(",")}]`;
  }
  return fromArrays(value);
}

function fromArrays(value: unknown): Tensor | string {
  if (typeof value === "number") return Number.isFinite(value) ? scalar(value) : `${value} is not a finite number`;
  if (!Array.isArray(value)) return `expected nested arrays of numbers, got ${describeValue(value)}`;
  if (value.length === 0) return "expected at least one row, got []";
  const rows = value.every((row) => typeof row === "number") ? [value as number[]] : (value as unknown[]);
  const first = rows[0];
  if (!Array.isArray(first)) return `row 0 is ${describeValue(first)}, expected an array of numbers`;
  const cols = first.length;
  if (cols === 0) return "row 0 is empty";
  if (rows.length * cols > MAX_ELEMENTS) return `${rows.length}×${cols} exceeds the limit of ${MAX_ELEMENTS} elements`;
  const data = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) return `row ${i} is ${describeValue(row)}, expected an array of numbers`;
    if (row.length !== cols) return `row ${i} has ${row.length} entries, row 0 has ${cols} (ragged)`;
    for (let j = 0; j < cols; j++) {
      const x = row[j];
      if (typeof x !== "number" || !Number.isFinite(x)) return `entry [${i}][${j}] is ${describeValue(x)}, expected a finite number`;
      data[i * cols + j] = x;
    }
  }
  return tensor(rows.length, cols, data);
}

function isMatrixJson(x: unknown): x is { shape: [number, number]; data: unknown } {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const { shape } = x as { shape?: unknown };
  return Array.isArray(shape) && shape.length === 2 && shape.every((d) => Number.isInteger(d)) && "data" in x;
}

/** A value as a message names it: `null`, `an array`, `an object`, `the string "a"`, `3`, `a boolean`. */
export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return "an object";
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? x.slice(0, 20) + "…" : x)}`;
  return typeof x === "number" ? String(x) : `a ${typeof x}`;
}

/** Frobenius norm. */
export function norm(t: Tensor): number {
  let s = 0;
  const d = t.data;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}
