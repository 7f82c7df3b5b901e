/**
 * The memory budget: before a command allocates anything, the bytes of every tensor it will hold (values,
 * gradients, per-sample chunks, optimizer state, …) are worked out from the graph's shapes at the actual
 * batch size m and summed. Over the budget (default 1 GiB), or with one tensor over the per-tensor limit,
 * it is refused with an error naming the largest tensors, so a hostile or mistaken file cannot take the
 * machine's memory.
 *
 * @example
 * const items = [...tensorItems(graph, 64, "value"), ...tensorItems(graph, 64, "gradient")];
 * checkMemoryBudget(items, { max: DEFAULT_MAX_MEMORY, file: graph.source, holder: "grad", m: 64 });
 */
import { GradstreamError, type Issue } from "../errors.ts";
import { MAX_ELEMENTS } from "../tensor/tensor.ts";
import type { Shape } from "../ops/op.ts";
import { allIds, type Graph } from "./graph.ts";

/** The budget when none is given: 1 GiB. */
export const DEFAULT_MAX_MEMORY = 2 ** 30;

/** A float64 is 8 bytes. */
const FLOAT = 8;

/** Something a command holds in memory: one tensor, or a group of them described together. */
export interface MemoryItem {
  /** The input, param or node it belongs to, if one. */
  readonly node?: string;
  /** What it is: "value [8192,8192]", "gradient [4,400]", "a chunk of 16 per-sample gradients". */
  readonly what: string;
  /** Said after `what` when listing the largest items: "twice while a transaction runs". */
  readonly note?: string;
  readonly bytes: number;
  /** For one tensor: its element count, checked against the per-tensor limit. */
  readonly elements?: number;
}

/** The concrete shape of `shape` at batch size m. */
export function shapeAt(shape: Shape, m: number): [number, number] {
  return [shape[0] === "m" ? m : Number(shape[0]), shape[1] === "m" ? m : Number(shape[1])];
}

/**
 * One tensor per input, param and node at batch size m: their values (`label` "value") or their gradients
 * dJ/dx ("gradient", what `backward` returns for every id).
 *
 * @example
 * tensorItems(graph, 400, "gradient")[0] // { node: "X", what: "gradient [2,400]", bytes: 6400, elements: 800 }
 */
export function tensorItems(graph: Graph, m: number, label: string): MemoryItem[] {
  return allIds(graph).map((id) => {
    const [r, c] = shapeAt(graph.shapes.get(id)!, m);
    return { node: id, what: `${label} [${r},${c}]`, bytes: r * c * FLOAT, elements: r * c };
  });
}

/** The entries of all params together (per-sample chunks and optimizer state are sized by it). */
export function paramEntries(graph: Graph): number {
  return graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1], 0);
}

/** One item for a group of floats held together (not a single tensor: no per-tensor limit). */
export function floatsItem(what: string, floats: number): MemoryItem {
  return { what, bytes: floats * FLOAT };
}

/**
 * Bytes per number of a tensor written out as JSON text (`--json`, `train --out`, the explorer's data):
 * measured, about 120 for `grad --json` at m = 400 000 (the nested arrays, the text, and its copy on the way
 * to the output), so 128.
 */
export const JSON_BYTES_PER_NUMBER = 128;

/** The JSON text of `numbers` numbers, as one item. */
export function jsonTextItem(what: string, numbers: number): MemoryItem {
  return { what: `${what} (about ${JSON_BYTES_PER_NUMBER} bytes per number)`, bytes: numbers * JSON_BYTES_PER_NUMBER };
}

/**
 * What the reactive runtime holds at batch size m: every value and gradient, and while a transaction runs,
 * the previous ones (kept until it commits, so a failure can restore them).
 */
export function runtimeItems(graph: Graph, m: number): MemoryItem[] {
  return [...tensorItems(graph, m, "value"), ...tensorItems(graph, m, "gradient")].map((i) => ({ ...i, note: "twice while a transaction runs", bytes: 2 * i.bytes }));
}

export interface BudgetContext {
  /** The budget in bytes. */
  max: number;
  /** The file the sizes come from (the graph, or the data file that set m). */
  file?: string;
  /** Who would hold the memory, for the message: "grad", "the runtime". */
  holder: string;
  m: number;
  /** m is a lower bound (a data file is still being read): the command would hold at least this. */
  atLeast?: boolean;
  /** Where m came from ("data.json"), if from a file. */
  mFrom?: string;
  /** How to change the budget: "--max-memory" for the command line, "the maxMemory option" for the library. */
  raise?: string;
}

/** Items named in an over-budget error, largest first; the rest are summed on one line. */
const SHOWN = 5;

/**
 * Refuses, with a GradstreamError "MEMORY", a plan with a tensor over the per-tensor limit (2^26 elements) or
 * a total over the budget. The message names the tensors over the limit, or the largest items.
 */
export function checkMemoryBudget(items: readonly MemoryItem[], ctx: BudgetContext): void {
  const { file } = ctx;
  // One line per tensor over the limit (its value names it; its gradient has the same shape).
  const named = new Set<string | undefined>();
  const over = items.filter((i) => i.elements !== undefined && i.elements > MAX_ELEMENTS && !named.has(i.node) && (named.add(i.node), true));
  if (over.length) {
    throw new GradstreamError(
      "MEMORY",
      over.map((i) => ({ file, node: i.node, message: `${i.what} at m ${ctx.atLeast ? "≥" : "="} ${ctx.m}${ctx.mFrom ? ` (from ${ctx.mFrom})` : ""} has ${i.elements} elements, over the limit of ${MAX_ELEMENTS} (2^26) per tensor` })),
    );
  }
  const sum = total(items);
  if (sum <= ctx.max) return;
  const largest = [...items].sort((a, b) => b.bytes - a.bytes);
  // The few that matter: at most SHOWN, each at least 1% of the total.
  const shown = largest.slice(0, SHOWN).filter((i) => i.bytes >= sum / 100);
  const issues: Issue[] = [
    { file, message: `${ctx.holder} would hold ${ctx.atLeast ? "at least " : ""}${formatBytes(sum)} of tensors at m ${ctx.atLeast ? "≥" : "="} ${ctx.m}${ctx.mFrom ? ` (from ${ctx.mFrom})` : ""}, over the memory budget of ${formatBytes(ctx.max)}${ctx.raise ? ` (raise it with ${ctx.raise}, or use a smaller graph or m)` : ""}; the largest:` },
    ...shown.map((i) => ({ file, node: i.node, message: `${i.what}${i.note ? ` (${i.note})` : ""}: ${formatBytes(i.bytes)}` })),
  ];
  const rest = largest.slice(shown.length);
  if (rest.length) issues.push({ file, message: `… and ${rest.length} more: ${formatBytes(total(rest))}` });
  throw new GradstreamError("MEMORY", issues);
}

function total(items: readonly MemoryItem[]): number {
  return items.reduce((n, i) => n + i.bytes, 0);
}

/** 1536 → "1.5 KiB"; binary units, three significant digits. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let k = 0;
  while (bytes >= 1024 && k < units.length - 1) (bytes /= 1024), k++;
  return k === 0 ? `${bytes} bytes` : `${Number(bytes.toPrecision(3))} ${units[k]}`;
}
