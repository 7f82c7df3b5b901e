/**
 * Checks concrete tensors against a graph's declared shapes and finds the batch size m. Every mismatch is
 * an issue naming the tensor, the expected and the actual shape.
 *
 * @example
 * const { m } = bindShapes(graph, values, "data.json"); // throws GradstreamError on a mismatch
 */
import { GradstreamError, type Issue } from "../errors.ts";
import type { Dim, Shape } from "../ops/op.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { Graph } from "./graph.ts";

export function bindShapes(graph: Graph, values: ReadonlyMap<string, Tensor>, file?: string): { m: number } {
  const issues: Issue[] = [];
  let m: number | undefined;
  let mFrom = "";
  const decls: { id: string; shape: Shape }[] = [...graph.inputs, ...graph.params];
  for (const { id, shape } of decls) {
    const t = values.get(id);
    if (!t) {
      issues.push({ file, node: id, message: `no value for ${graph.kinds.get(id)} '${id}'` });
      continue;
    }
    shape.forEach((d: Dim, axis) => {
      const actual = t.shape[axis];
      if (d === "m") {
        if (m === undefined) (m = actual), (mFrom = id);
        else if (actual !== m) issues.push({ file, node: id, field: "shape", message: `'${id}' has ${actual} samples (columns), '${mFrom}' has ${m}: m must agree across inputs` });
      }
    });
    const expected = shape.map((d) => (d === "m" ? (m ?? "m") : d));
    if (shape.some((d, axis) => typeof d === "number" && d !== t.shape[axis])) {
      issues.push({ file, node: id, field: "shape", message: `'${id}' should be [${expected.join(",")}], got [${t.shape.join(",")}]` });
    }
  }
  if (issues.length) throw new GradstreamError("DATA_INVALID", issues);
  return { m: m ?? 1 };
}
