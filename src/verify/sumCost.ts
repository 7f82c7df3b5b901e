/**
 * The same graph with its cost summed over the samples instead of averaged: every `mean` that reduces
 * over the batch becomes a `sum`. The two costs differ by exactly the factor m, and so do their gradients;
 * the check uses this to show where the 1/m lives. Undefined when the graph has no `mean` over the batch.
 *
 * @example
 * const summed = withSumCost(graph)!; // J = Σᵢ Lᵢ: gradients m × those of J = (1/m)·Σᵢ Lᵢ
 */
import type { Graph } from "../graph/graph.ts";
import { sampleStructure } from "./sampleStructure.ts";

export function withSumCost(graph: Graph): Graph | undefined {
  const means = new Set(sampleStructure(graph).reductions.filter((r) => r.op === "mean").map((r) => r.node));
  if (means.size === 0) return undefined;
  // `sum` has `mean`'s operand and shape rule, so shapes, order and consumers carry over unchanged.
  return { ...graph, name: `${graph.name} (sum cost)`, nodes: graph.nodes.map((n) => (means.has(n.id) ? { ...n, op: "sum" } : n)) };
}
