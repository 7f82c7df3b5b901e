/**
 * A validated graph: the file's inputs, params and nodes, with shapes inferred (the symbol `m` for the
 * batch size) and the nodes in topological order. Built only by `parseGraph`/`loadGraph`.
 */
import type { Attrs, Shape } from "../ops/op.ts";
import type { InitSpec } from "./schema.ts";
import type { Issue } from "../errors.ts";

export interface InputDecl {
  readonly id: string;
  readonly shape: Shape;
}

export interface ParamDecl {
  readonly id: string;
  readonly shape: readonly [number, number];
  readonly init: InitSpec;
}

export interface NodeDecl {
  readonly id: string;
  readonly op: string;
  readonly in: readonly string[];
  readonly attrs: Attrs;
}

export type IdKind = "input" | "param" | "node";

export interface Graph {
  readonly name: string;
  readonly description?: string;
  /** The file the graph came from, as the user named it. */
  readonly source?: string;
  readonly inputs: readonly InputDecl[];
  readonly params: readonly ParamDecl[];
  /** In topological order: every node after its operands. */
  readonly nodes: readonly NodeDecl[];
  readonly loss: string;
  /** Every id's symbolic shape. */
  readonly shapes: ReadonlyMap<string, Shape>;
  readonly kinds: ReadonlyMap<string, IdKind>;
  /** For each id, the nodes that read it and in which operand slot. */
  readonly consumers: ReadonlyMap<string, readonly { readonly node: string; readonly slot: number }[]>;
  /**
   * What is valid but cannot matter to the loss (an unused param, a node that does not reach the loss),
   * each naming the file, the id and the line. The CLI prints them on stderr; they never stop a command.
   */
  readonly warnings?: readonly Issue[];
}

/** Every id, inputs then params then nodes (topological). */
export function allIds(graph: Graph): string[] {
  return [...graph.inputs.map((d) => d.id), ...graph.params.map((d) => d.id), ...graph.nodes.map((d) => d.id)];
}

export function nodeById(graph: Graph, id: string): NodeDecl | undefined {
  return graph.nodes.find((n) => n.id === id);
}

/** The ids the loss depends on (itself included): only these have a gradient that is not zero by construction. */
export function lossAncestors(graph: Graph): Set<string> {
  const ancestors = new Set<string>([graph.loss]);
  // One sweep in reverse topological order: a node's readers are all visited before it.
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (ancestors.has(n.id)) for (const ref of n.in) ancestors.add(ref);
  }
  return ancestors;
}

export function hasBatchDim(shape: Shape): boolean {
  return shape[0] === "m" || shape[1] === "m";
}
