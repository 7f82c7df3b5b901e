/**
 * Small graph files shared by the graph-file and data-file tests.
 */
import { expect } from "vitest";
import { parseGraph } from "../../src/graph/parseGraph.ts";

/** A valid logistic unit (X [2,m], Y [1,m] → linear → sigmoid → bce → mean): the base that error tests edit. */
export const VALID_GRAPH = `gradstream: 1
name: tiny
inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W: { shape: [1, 2] }
  b: { shape: [1, 1], init: zeros }
nodes:
  Z: { op: linear, in: [W, X, b] }
  A: { op: sigmoid, in: [Z] }
  L: { op: bce, in: [A, Y] }
  J: { op: mean, in: [L] }
loss: J
`;

/** VALID_GRAPH with one piece changed; the change must apply exactly once. */
export function edit(from: string, to: string, text = VALID_GRAPH): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

/** The same unit with its sigmoid and bce fused into bce_logits (as g.yaml), for binding data files to. */
export function twoInputsGraph() {
  const fused = edit("  A: { op: sigmoid, in: [Z] }\n  L: { op: bce, in: [A, Y] }\n", "  L: { op: bce_logits, in: [Z, Y] }\n");
  return parseGraph(edit("name: tiny", "name: two-inputs", fused), "yaml", "g.yaml");
}
