/**
 * From a file that passed the schema to a `Graph`: ids unique across sections, ops known, operands
 * defined and counted, attributes valid, no cycles, the loss a scalar node, and every shape inferred.
 * Every mistake is collected as an issue; nothing is thrown here.
 */
import type { Issue } from "../errors.ts";
import { getOp, opNames } from "../ops/registry.ts";
import type { Attrs, Dim, OpDef, Shape } from "../ops/op.ts";
import { showShape, UNKNOWN_DIM } from "../ops/op.ts";
import { MAX_ELEMENTS } from "../tensor/tensor.ts";
import { lossAncestors, type Graph, type IdKind, type NodeDecl } from "./graph.ts";
import { didYouMean } from "./didYouMean.ts";
import type { GraphFile } from "./schema.ts";

type Located = Omit<Issue, "file" | "line"> & { path: (string | number)[] };

const UNKNOWN_SHAPE: Shape = [UNKNOWN_DIM, UNKNOWN_DIM];
/** "Did you mean" for the first undefined ids only (each suggestion is a pass over every id). */
const MAX_SUGGESTIONS = 50;
/** Warnings past these are counted, not listed: a generated graph may have thousands of dead nodes. */
const MAX_WARNINGS = 20;

/** `broken` holds ids whose entries were refused by the schema: they count as declared (no "not defined"
 * cascade) but have no shape, so nodes reading them are not shape-checked either. */
export function buildGraph(file: GraphFile, source?: string, broken: ReadonlySet<string> = new Set()): { graph?: Graph; issues: Located[]; warnings?: Located[] } {
  const issues: Located[] = [];
  const kinds = new Map<string, IdKind>();
  const shapes = new Map<string, Shape>();
  const declare = (id: string, kind: IdKind, section: string) => {
    const earlier = kinds.get(id);
    if (earlier) issues.push({ node: id, path: [section, id], message: `id '${id}' is already used by ${earlier} '${id}'; ids are unique across inputs, params and nodes` });
    else kinds.set(id, kind);
  };

  const inputs = Object.entries(file.inputs).map(([id, d]) => ({ id, shape: d.shape as Shape }));
  const params = Object.entries(file.params ?? {}).map(([id, d]) => ({
    id,
    shape: d.shape as [number, number],
    init: d.init ?? { normal: 0.01 },
  }));
  for (const d of inputs) {
    declare(d.id, "input", "inputs");
    const tooBig = overLimit(d.shape);
    if (tooBig) issues.push({ node: d.id, field: "shape", path: ["inputs", d.id, "shape"], message: `an input of ${tooBig}` });
    else shapes.set(d.id, d.shape);
  }
  for (const d of params) declare(d.id, "param", "params"), shapes.set(d.id, d.shape);

  const declared: NodeDecl[] = [];
  for (const [id, spec] of Object.entries(file.nodes)) {
    declare(id, "node", "nodes");
    const { op: opName, in: operands, description: _d, ...attrs } = spec;
    declared.push({ id, op: opName, in: operands, attrs: attrs as Attrs });
  }

  // Per-node checks that need no order: op, arity, operands defined, attributes.
  const usable = new Set<string>();
  let suggestions = 0;
  for (const node of declared) {
    const op = getOp(node.op);
    let ok = true;
    if (!op) {
      const guess = didYouMean(node.op, opNames());
      issues.push({ node: node.id, field: "op", path: ["nodes", node.id, "op"], message: `unknown op '${node.op}' (${guess ? `${guess} ` : ""}known: ${opNames().join(", ")})` });
      ok = false;
    } else if (node.in.length !== op.operands.length) {
      issues.push({
        node: node.id,
        field: "in",
        path: ["nodes", node.id, "in"],
        message: `${op.name} takes ${op.operands.length} input${op.operands.length > 1 ? "s" : ""} (${op.operands.join(", ")}), got ${node.in.length}`,
      });
      ok = false;
    }
    node.in.forEach((ref, slot) => {
      if (ref === node.id) {
        issues.push({ node: node.id, field: `in[${slot}]`, path: ["nodes", node.id, "in", slot], message: `node '${node.id}' reads itself` });
        ok = false;
      } else if (broken.has(ref)) {
        ok = false;
      } else if (!kinds.has(ref)) {
        // Suggestions for the first few only: each one compares with every id, and the output is capped anyway.
        const guess = suggestions++ < MAX_SUGGESTIONS ? didYouMean(ref, [...kinds.keys()].filter((id) => id !== node.id)) : undefined;
        issues.push({ node: node.id, field: `in[${slot}]`, path: ["nodes", node.id, "in", slot], message: `input '${ref}' is not defined${guess ? ` (${guess})` : ""}` });
        ok = false;
      }
    });
    if (op) {
      const names = Object.keys(node.attrs);
      if (op.attrs) {
        const parsed = op.attrs.safeParse(node.attrs);
        if (!parsed.success) {
          for (const e of parsed.error.issues) {
            const field = e.code === "unrecognized_keys" ? e.keys.join(", ") : String(e.path[0] ?? "");
            issues.push({ node: node.id, field, path: ["nodes", node.id, ...(e.code === "unrecognized_keys" ? [e.keys[0]] : e.path.map((p) => (typeof p === "symbol" ? String(p) : p)))], message: e.code === "unrecognized_keys" ? `${op.name} has no attribute '${e.keys[0]}'` : `${op.name}: ${e.message}` });
          }
          ok = false;
        }
      } else if (names.length) {
        issues.push({ node: node.id, field: names[0], path: ["nodes", node.id, names[0]], message: `${op.name} takes no attributes, got '${names.join("', '")}'` });
        ok = false;
      }
    }
    if (ok) usable.add(node.id);
  }

  const order = topologicalOrder(declared, issues);

  // Shapes in topological order. Downstream of a mistake (a node that is not usable, or whose shape rule
  // failed) shapes are still inferred, with UNKNOWN_DIM for what the mistake hides, but no shape issue is
  // reported there: one mistake is reported once, not again at every node downstream. What is still known
  // tells whether the loss is a scalar, so that mistake is reported in the same pass as the others.
  const partial = new Set<string>();
  for (const node of order) {
    const operandShapes = node.in.map((ref) => shapes.get(ref));
    const op = getOp(node.op);
    if (usable.has(node.id) && operandShapes.every((s) => s !== undefined) && !node.in.some((ref) => partial.has(ref))) {
      const result = op!.shape(operandShapes as Shape[], node.attrs);
      const tooBig = typeof result === "string" ? undefined : overLimit(result);
      if (typeof result !== "string" && !tooBig) {
        shapes.set(node.id, result);
        continue;
      }
      issues.push({ node: node.id, field: "in", path: ["nodes", node.id, "in"], message: tooBig ? `${node.op} gives ${tooBig}` : (result as string) });
    }
    partial.add(node.id);
    shapes.set(node.id, op && node.in.length === op.operands.length ? partialShape(op.shape, operandShapes, node.attrs) : UNKNOWN_SHAPE);
  }

  const lossKind = kinds.get(file.loss);
  if (broken.has(file.loss)) {
    // reported where it is declared
  } else if (!lossKind) issues.push({ field: "loss", path: ["loss"], message: `loss '${file.loss}' is not defined` });
  else if (lossKind !== "node") issues.push({ field: "loss", path: ["loss"], message: `loss '${file.loss}' is ${lossKind === "input" ? "an input" : "a param"}; it must be a node` });
  else {
    const s = shapes.get(file.loss);
    const notOne = (d: Dim) => d !== 1 && d !== UNKNOWN_DIM;
    if (s && (notOne(s[0]) || notOne(s[1])))
      issues.push({ node: file.loss, field: "loss", path: ["loss"], message: `the loss must be a scalar [1,1], '${file.loss}' is ${showShape(s)}${s[1] === "m" ? " (reduce it over the samples with mean)" : ""}` });
  }

  // Entries the schema refused were reported by the caller; without them there is no graph to build.
  if (issues.length || broken.size) return { issues };

  const consumers = new Map<string, { node: string; slot: number }[]>();
  for (const id of kinds.keys()) consumers.set(id, []);
  for (const node of order) node.in.forEach((ref, slot) => consumers.get(ref)!.push({ node: node.id, slot }));

  const graph: Graph = { name: file.name, description: file.description, source, inputs, params, nodes: order, loss: file.loss, shapes, kinds, consumers };
  return { graph, issues, warnings: unusedWarnings(graph) };
}

/**
 * What a valid graph holds that cannot matter to its loss: an input or param the loss does not depend on
 * (its gradient is 0 by construction; training leaves such a param as initialised), and a node that is
 * neither the loss nor read by one that reaches it (it is computed, and nothing comes of it). For a dead
 * branch, only its last node is named: the nodes feeding it are implied.
 */
function unusedWarnings(graph: Graph): Located[] {
  const reaches = lossAncestors(graph);
  const warnings: Located[] = [];
  const loss = graph.loss;
  for (const [section, decls, kind] of [["inputs", graph.inputs, "input"], ["params", graph.params, "param"]] as const) {
    for (const { id } of decls) {
      if (reaches.has(id)) continue;
      const read = graph.consumers.get(id)!.length > 0;
      const effect = kind === "param" ? "its gradient is 0 and training leaves it as initialised" : "its values do not change the loss";
      warnings.push({ node: id, path: [section, id], severity: "warning", message: `${kind} '${id}' ${read ? `does not reach the loss '${loss}'` : "is not read by any node"}: ${effect}` });
    }
  }
  for (const node of graph.nodes) {
    if (reaches.has(node.id) || graph.consumers.get(node.id)!.some((c) => !reaches.has(c.node))) continue;
    warnings.push({ node: node.id, path: ["nodes", node.id], severity: "warning", message: `node '${node.id}' does not reach the loss '${loss}': it is computed, but changes neither the loss nor any gradient` });
  }
  if (warnings.length <= MAX_WARNINGS) return warnings;
  const more = warnings.length - MAX_WARNINGS;
  return [...warnings.slice(0, MAX_WARNINGS), { path: [], severity: "warning", message: `${more} more input${more > 1 ? "s, params or nodes" : ", param or node"} that do not reach the loss '${loss}'` }];
}

/** A shape rule applied where some operand shapes are unknown; UNKNOWN_SHAPE when the rule cannot say. */
function partialShape(rule: OpDef["shape"], operands: readonly (Shape | undefined)[], attrs: Attrs): Shape {
  try {
    const result = rule(operands.map((s) => s ?? UNKNOWN_SHAPE), attrs);
    return typeof result === "string" ? UNKNOWN_SHAPE : result;
  } catch {
    return UNKNOWN_SHAPE; // an attribute the schema refused may trip the rule; the refusal is reported already
  }
}

/**
 * A shape over the per-tensor limit, described ("[1048576,1048576]: 1099511627776 elements, over …"), or
 * undefined. Dimensions are at most 2^20 each (the schema checks declared ones, and every op's result takes
 * its dimensions from its operands'), but a product such as matmul's can reach 2^40 elements: refused here,
 * when the graph is read, not when evaluating it runs out of memory. A shape with m is checked at the actual
 * m, before anything is allocated (memoryBudget.ts).
 */
function overLimit(shape: Shape): string | undefined {
  const [r, c] = shape;
  if (typeof r !== "number" || typeof c !== "number" || r * c <= MAX_ELEMENTS) return undefined;
  return `${showShape(shape)}: ${r * c} elements, over the limit of ${MAX_ELEMENTS} (2^26) per tensor`;
}

/**
 * Kahn's algorithm; the nodes it cannot order lie on a cycle or downstream of one. Those are split into
 * strongly connected components (Tarjan's algorithm, once over the stuck nodes: linear), and each component
 * that holds a cycle is reported once, with one cycle through it as its path. A node downstream of a cycle
 * is in a component of its own and is not reported: fixing the cycle frees it.
 *
 * Nodes are numbered once and the edges kept in typed arrays (one row of operands per node, one of readers),
 * not in a Map or Set per node: at 10⁵ nodes this ordering took a third of the time, and Tarjan's search over
 * a chain stuck behind a cycle a twentieth (no small object per node for the collector to trace).
 */
function topologicalOrder(nodes: readonly NodeDecl[], issues: Located[]): NodeDecl[] {
  const n = nodes.length;
  const indexOf = new Map<string, number>();
  nodes.forEach((node, i) => indexOf.set(node.id, i));
  // Each node's operands that are nodes, each once (a node reading itself is reported where operands are checked).
  const operands = new Edges(n, nodes.reduce((sum, node) => sum + node.in.length, 0));
  const pending = new Int32Array(n); // operands not yet ordered
  const seenBy = new Int32Array(n); // seenBy[j] = i + 1 once node i has counted operand j
  for (let i = 0; i < n; i++) {
    for (const ref of nodes[i].in) {
      const j = indexOf.get(ref);
      if (j === undefined || j === i || seenBy[j] === i + 1) continue;
      seenBy[j] = i + 1;
      operands.add(j);
      pending[i]++;
    }
    operands.endRow();
  }
  const readers = operands.reversed();
  const ready = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) ready[tail++] = i;
  const order: NodeDecl[] = [];
  for (let head = 0; head < tail; head++) {
    const i = ready[head];
    order.push(nodes[i]);
    for (let e = readers.start[i]; e < readers.start[i + 1]; e++) if (--pending[readers.at[e]] === 0) ready[tail++] = readers.at[e];
  }
  if (order.length < n) {
    const stuck: number[] = [];
    const stuckOperands = new Edges(n, operands.start[n]);
    for (let i = 0; i < n; i++) {
      if (pending[i] > 0) {
        stuck.push(i);
        for (let e = operands.start[i]; e < operands.start[i + 1]; e++) if (pending[operands.at[e]] > 0) stuckOperands.add(operands.at[e]);
      }
      stuckOperands.endRow();
    }
    const isStuck = (id: string) => { const j = indexOf.get(id); return j !== undefined && pending[j] > 0; };
    const operandsOf = (id: string) => nodes[indexOf.get(id)!].in.filter((ref) => ref !== id && isStuck(ref));
    for (const component of components(stuck, stuckOperands)) {
      if (component.length < 2) continue; // a node that reads itself is reported where its operands are checked
      const path = cycleThrough(component.map((i) => nodes[i].id), operandsOf);
      issues.push({ node: path[0], field: "in", path: ["nodes", path[0], "in"], message: `cycle: ${[...path, path[0]].join(" → ")}` });
    }
  }
  return order;
}

/** Edges out of nodes 0…n−1 in rows (compressed sparse rows): row i is `at[start[i] … start[i+1])`. */
class Edges {
  readonly start: Int32Array;
  readonly at: Int32Array;
  private rows = 0;
  private size = 0;
  constructor(readonly n: number, capacity: number) {
    this.start = new Int32Array(n + 1);
    this.at = new Int32Array(capacity);
  }
  add(to: number): void {
    this.at[this.size++] = to;
  }
  endRow(): void {
    this.start[++this.rows] = this.size;
  }
  /** The same edges the other way round, each row in increasing order of where its edges come from. */
  reversed(): Edges {
    const back = new Edges(this.n, this.size);
    for (let e = 0; e < this.size; e++) back.start[this.at[e] + 1]++;
    for (let i = 0; i < this.n; i++) back.start[i + 1] += back.start[i];
    const fill = back.start.slice(0, this.n);
    for (let i = 0; i < this.n; i++) for (let e = this.start[i]; e < this.start[i + 1]; e++) back.at[fill[this.at[e]]++] = i;
    back.rows = this.n;
    back.size = this.size;
    return back;
  }
}

/**
 * Tarjan's strongly connected components over `ids`, following `next`, without recursion (a graph of 10⁵
 * nodes would overflow the call stack). Components come in the order Tarjan finishes them.
 */
export function stronglyConnected(ids: readonly string[], next: (id: string) => readonly string[]): string[][] {
  // Number every node the search can reach, in order, with its successors.
  const indexOf = new Map<string, number>();
  const all: string[] = [];
  const successors: (readonly string[])[] = [];
  const number = (id: string) => indexOf.get(id) ?? (indexOf.set(id, all.length), all.push(id), all.length - 1);
  ids.forEach(number);
  for (let i = 0; i < all.length; i++) successors.push(next(all[i])), successors[i].forEach(number);
  const edges = new Edges(all.length, successors.reduce((sum, s) => sum + s.length, 0));
  for (const s of successors) s.forEach((w) => edges.add(indexOf.get(w)!)), edges.endRow();
  return components(ids.map((id) => indexOf.get(id)!), edges).map((c) => c.map((i) => all[i]));
}

/** Tarjan's algorithm from each of `roots` in turn, along `edges`, with an explicit stack of frames. */
function components(roots: readonly number[], edges: Edges): number[][] {
  const n = edges.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  // Each frame: a node and the next of its edges to follow.
  const frameNode = new Int32Array(n);
  const frameEdge = new Int32Array(n);
  let depth = 0;
  let counter = 0;
  const found: number[][] = [];
  const enter = (v: number) => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    frameNode[depth] = v;
    frameEdge[depth++] = edges.start[v];
  };
  for (const root of roots) {
    if (index[root] >= 0) continue;
    enter(root);
    while (depth) {
      const v = frameNode[depth - 1];
      if (frameEdge[depth - 1] < edges.start[v + 1]) {
        const w = edges.at[frameEdge[depth - 1]++];
        if (index[w] < 0) enter(w);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      depth--;
      if (depth) low[frameNode[depth - 1]] = Math.min(low[frameNode[depth - 1]], low[v]);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        found.push(component);
      }
    }
  }
  return found;
}

/**
 * One cycle inside a strongly connected component: from the node where the search entered the component, a
 * breadth-first search along operands back to it, so the path is a shortest one. Returned in data-flow order (an operand
 * before its reader), starting at the node whose operand closes the cycle.
 */
function cycleThrough(component: readonly string[], operandsOf: (id: string) => readonly string[]): string[] {
  const inside = new Set(component);
  const start = component[component.length - 1]; // Tarjan pops the component's root last: the first visited
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const ref of operandsOf(id)) {
      if (!inside.has(ref)) continue;
      if (ref === start) {
        // start reads … reads id reads start: walk back to start, which lists the cycle reader-first.
        const readerFirst = [id];
        for (let at = id; at !== start; ) readerFirst.push((at = cameFrom.get(at)!));
        return readerFirst; // [id, …, start]: each element is an operand of the one after it
      }
      if (!cameFrom.has(ref)) {
        cameFrom.set(ref, id);
        queue.push(ref);
      }
    }
  }
  return [...component]; // unreachable: a component of two or more nodes has a cycle through every node
}
