/**
 * The checks a runtime makes on what a program hands it, so a wrong argument is a GradstreamError
 * ("USAGE") naming the function and the option, never a TypeError or RangeError from deep inside, nor a
 * silent NaN (`m: 0` would average over no samples). Values themselves (tensors, shapes) are checked
 * where they are set ("DATA_INVALID").
 *
 * @example
 * checkRuntimeInit(graph, { m: 1.5 }) // throws: createRuntime: option 'm': the batch size is an integer from 1 …
 */
import { z } from "zod";
import { GradstreamError } from "../errors.ts";
import { didYouMean } from "../graph/didYouMean.ts";
import type { Graph } from "../graph/graph.ts";

const tensors = z.custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { message: "expected an object of id → tensor" });

const initSchema = z.strictObject({
  inputs: tensors.optional(),
  params: tensors.optional(),
  seed: z.number({ message: "the seed is an integer from 0 to 2^32 − 1" }).int({ message: "the seed is an integer from 0 to 2^32 − 1" }).min(0, { message: "the seed is an integer from 0 to 2^32 − 1" }).max(2 ** 32 - 1, { message: "the seed is an integer from 0 to 2^32 − 1" }).optional(),
  m: z.number({ message: "the batch size is an integer from 1 on" }).int({ message: "the batch size is an integer from 1 on" }).min(1, { message: "the batch size is an integer from 1 on" }).optional(),
  maxMemory: z.number({ message: "the memory budget is a number of bytes above 0" }).positive({ message: "the memory budget is a number of bytes above 0" }).optional(),
});

/** Refuses anything but a Graph from parseGraph/loadGraph, and options that are not RuntimeInit's. */
export function checkRuntimeInit(graph: unknown, init: unknown): void {
  const g = graph as Partial<Graph> | null;
  if (typeof g !== "object" || g === null || !(g.kinds instanceof Map) || !(g.shapes instanceof Map) || !Array.isArray(g.nodes) || typeof g.loss !== "string") {
    throw new GradstreamError("USAGE", "createRuntime: the first argument must be a Graph, from parseGraph or loadGraph");
  }
  if (init === undefined) return;
  if (typeof init !== "object" || init === null || Array.isArray(init)) throw new GradstreamError("USAGE", "createRuntime: the options must be an object { inputs, params, seed, m, maxMemory }");
  const parsed = initSchema.safeParse(init);
  if (parsed.success) return;
  throw new GradstreamError(
    "USAGE",
    parsed.error.issues.map((i) => {
      if (i.code === "unrecognized_keys") {
        const hint = didYouMean(i.keys[0], Object.keys(initSchema.shape));
        return { field: i.keys[0], message: `createRuntime: unknown option '${i.keys[0]}' (${hint ? `${hint} ` : ""}known: ${Object.keys(initSchema.shape).join(", ")})` };
      }
      const field = String(i.path[0]);
      return { field, message: `createRuntime: option '${field}': ${i.message}, got ${show((init as Record<string, unknown>)[field])}` };
    }),
  );
}

/** `set`'s argument: an object of id → tensor. */
export function checkValues(values: unknown, where: string): void {
  if (typeof values !== "object" || values === null || Array.isArray(values)) throw new GradstreamError("USAGE", `${where}: expected an object of id → tensor, got ${show(values)}`);
}

/** An id argument (`value$`, `grad$`, `connect`). */
export function checkId(id: unknown, where: string): asserts id is string {
  if (typeof id !== "string") throw new GradstreamError("USAGE", `${where}: an id is a string, got ${show(id)}`);
}

/** `connect`'s source: anything with a `subscribe` method (an RxJS Observable, or one from another library). */
export function checkSource(source: unknown, id: string): void {
  const subscribe = (source as { subscribe?: unknown } | null)?.subscribe;
  if (typeof subscribe !== "function") throw new GradstreamError("USAGE", { node: id, message: `connect('${id}', …): the source must be an Observable (something with a subscribe method), got ${show(source)}` });
}

/** `transaction`'s argument. */
export function checkFunction(fn: unknown, where: string): void {
  if (typeof fn !== "function") throw new GradstreamError("USAGE", `${where}: expected a function, got ${show(fn)}`);
}

function show(v: unknown): string {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return Array.isArray(v) ? "an array" : `a${typeof v === "object" ? "n object" : ` ${typeof v}`}`;
}
