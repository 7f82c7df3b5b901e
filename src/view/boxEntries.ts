/**
 * Which tensors show their entries inside their box (2 to 16 entries: small params, and per-sample
 * tensors at a small m, so L's gradient reads 1/m in every sample), and how the entries are set in
 * lines: each matrix row on its own line, wrapped at four entries; a tensor that would take more than
 * four lines that way flows four to a line instead. Shared by the layout (to size the box) and the
 * renderer (to draw it), so both agree.
 *
 * @example
 * entryShapes(planar, 5)   // { W1: [4, 2], b1: [4, 1], W2: [1, 4], X: [2, 5], Y: [1, 5], Z2: [1, 5], A2: [1, 5], L: [1, 5] }
 * entryLines(1, 6)         // [[0, 1, 2, 3], [4, 5]]   (flat row-major indexes)
 * formatEntry(1 / 7)       // "0.143"
 */
import { allIds, type Graph } from "../graph/graph.ts";

export const MAX_BOX_ENTRIES = 16;
export const ENTRIES_PER_LINE = 5;
const MAX_LINES = 4;

export function showsEntries(rows: number, cols: number): boolean {
  const n = rows * cols;
  return n >= 2 && n <= MAX_BOX_ENTRIES;
}

/** The concrete shape, at batch size m, of every tensor that shows its entries. */
export function entryShapes(graph: Graph, m: number): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const id of allIds(graph)) {
    const [r, c] = graph.shapes.get(id)!.map((d) => (d === "m" ? m : Number(d)));
    if (showsEntries(r, c)) out[id] = [r, c];
  }
  return out;
}

export function entryLines(rows: number, cols: number): number[][] {
  const lines: number[][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c += ENTRIES_PER_LINE) lines.push(Array.from({ length: Math.min(ENTRIES_PER_LINE, cols - c) }, (_, k) => r * cols + c + k));
  }
  if (lines.length <= MAX_LINES) return lines;
  const n = rows * cols;
  return Array.from({ length: Math.ceil(n / ENTRIES_PER_LINE) }, (_, l) => Array.from({ length: Math.min(ENTRIES_PER_LINE, n - l * ENTRIES_PER_LINE) }, (_, k) => l * ENTRIES_PER_LINE + k));
}

/** At most 8 characters: three significant digits, exponent form outside [0.001, 100000). */
export function formatEntry(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(3)));
  return x.toExponential(1).replace("e+", "e");
}
