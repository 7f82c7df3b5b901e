/**
 * From a file that passed the schema to a `Graph`: ids unique across sections, ops known, operands
 * defined and counted, attributes valid, no cycles, the loss a scalar node, and every shape inferred.
 * Every mistake is collected as an issue; nothing is thrown here.
 */
import type { Issue } from "../errors.ts";
import { getOp, opNames } from "../ops/registry.ts";
import type { Attrs, Shape } from "../ops/op.ts";
import { showShape } from "../ops/op.ts";
import type { Graph, IdKind, NodeDecl } from "./graph.ts";
import type { GraphFile } from "./schema.ts";

type Located = Omit<Issue, "file" | "line"> & { path: (string | number)[] };

/** `broken` holds ids whose entries were refused by the schema: they count as declared (no "not defined"
 * cascade) but have no shape, so nodes reading them are not shape-checked either. */
export function buildGraph(file: GraphFile, source?: string, broken: ReadonlySet<string> = new Set()): { graph?: Graph; issues: Located[] } {
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
  for (const d of inputs) declare(d.id, "input", "inputs"), shapes.set(d.id, d.shape);
  for (const d of params) declare(d.id, "param", "params"), shapes.set(d.id, d.shape);

  const declared: NodeDecl[] = [];
  for (const [id, spec] of Object.entries(file.nodes)) {
    declare(id, "node", "nodes");
    const { op: opName, in: operands, description: _d, ...attrs } = spec;
    declared.push({ id, op: opName, in: operands, attrs: attrs as Attrs });
  }

  // Per-node checks that need no order: op, arity, operands defined, attributes.
  const usable = new Set<string>();
  for (const node of declared) {
    const op = getOp(node.op);
    let ok = true;
    if (!op) {
      issues.push({ node: node.id, field: "op", path: ["nodes", node.id, "op"], message: `unknown op '${node.op}' (known: ${opNames().join(", ")})` });
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
        issues.push({ node: node.id, field: `in[${slot}]`, path: ["nodes", node.id, "in", slot], message: `input '${ref}' is not defined` });
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

  const order = topologicalOrder(declared, kinds, issues);

  // Shapes in topological order; a node whose operands have no shape (an earlier mistake) is skipped so one
  // mistake is reported once, not again at every node downstream.
  for (const node of order) {
    if (!usable.has(node.id)) continue;
    const operandShapes = node.in.map((ref) => shapes.get(ref));
    if (operandShapes.some((s) => s === undefined)) continue;
    const result = getOp(node.op)!.shape(operandShapes as Shape[], node.attrs);
    if (typeof result === "string") issues.push({ node: node.id, field: "in", path: ["nodes", node.id, "in"], message: result });
    else shapes.set(node.id, result);
  }

  const lossKind = kinds.get(file.loss);
  if (broken.has(file.loss)) {
    // reported where it is declared
  } else if (!lossKind) issues.push({ field: "loss", path: ["loss"], message: `loss '${file.loss}' is not defined` });
  else if (lossKind !== "node") issues.push({ field: "loss", path: ["loss"], message: `loss '${file.loss}' is ${lossKind === "input" ? "an input" : "a param"}; it must be a node` });
  else {
    const s = shapes.get(file.loss);
    if (s && (s[0] !== 1 || s[1] !== 1))
      issues.push({ node: file.loss, field: "loss", path: ["loss"], message: `the loss must be a scalar [1,1], '${file.loss}' is ${showShape(s)}${s[1] === "m" ? " (reduce it over the samples with mean)" : ""}` });
  }

  // Entries the schema refused were reported by the caller; without them there is no graph to build.
  if (issues.length || broken.size) return { issues };

  const consumers = new Map<string, { node: string; slot: number }[]>();
  for (const id of kinds.keys()) consumers.set(id, []);
  for (const node of order) node.in.forEach((ref, slot) => consumers.get(ref)!.push({ node: node.id, slot }));

  const graph: Graph = { name: file.name, description: file.description, source, inputs, params, nodes: order, loss: file.loss, shapes, kinds, consumers };
  return { graph, issues };
}

/** Kahn's algorithm; nodes left over lie on a cycle, which is reported with its path. */
function topologicalOrder(nodes: readonly NodeDecl[], kinds: ReadonlyMap<string, IdKind>, issues: Located[]): NodeDecl[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pending = new Map<string, number>();
  const readers = new Map<string, string[]>();
  for (const n of nodes) {
    const deps = n.in.filter((ref) => byId.has(ref) && ref !== n.id);
    pending.set(n.id, new Set(deps).size);
    for (const d of new Set(deps)) (readers.get(d) ?? readers.set(d, []).get(d)!).push(n.id);
  }
  const ready = nodes.filter((n) => pending.get(n.id) === 0).map((n) => n.id);
  const order: NodeDecl[] = [];
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head]; // a moving head instead of shift(): shift is O(n), which made big graphs quadratic
    order.push(byId.get(id)!);
    for (const r of readers.get(id) ?? []) {
      const left = pending.get(r)! - 1;
      pending.set(r, left);
      if (left === 0) ready.push(r);
    }
  }
  if (order.length < nodes.length) {
    const stuck = new Set(nodes.filter((n) => !order.includes(n)).map((n) => n.id));
    const reported = new Set<string>();
    for (const start of stuck) {
      if (reported.has(start)) continue;
      const path = findCycle(start, byId, stuck);
      // Nodes downstream of a cycle are stuck too and walk into the same cycle: report each cycle once.
      if (!path || path.some((id) => reported.has(id))) continue;
      path.forEach((id) => reported.add(id));
      issues.push({ node: path[0], field: "in", path: ["nodes", path[0], "in"], message: `cycle: ${[...path, path[0]].join(" → ")}` });
    }
  }
  void kinds;
  return order;
}

function findCycle(start: string, byId: ReadonlyMap<string, NodeDecl>, stuck: ReadonlySet<string>): string[] | undefined {
  // Walk operands inside the stuck set until an id repeats; the repeat closes the cycle.
  const seen = new Map<string, number>();
  const path: string[] = [];
  let id: string | undefined = start;
  while (id !== undefined && !seen.has(id)) {
    seen.set(id, path.length);
    path.push(id);
    id = byId.get(id)!.in.find((ref) => stuck.has(ref) && ref !== id);
  }
  if (id === undefined) return undefined;
  // Report the cycle in data-flow order (an operand before its reader).
  return path.slice(seen.get(id)).reverse();
}
