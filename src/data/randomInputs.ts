/**
 * Random inputs for a graph, so every command works before a user has data: features are standard
 * normal; an input that is the target of a loss gets targets that loss accepts (labels 0/1 for `bce`,
 * one-hot columns for the cross-entropies, normal values for `mse`); an input that holds the weights of a
 * `weighted_mean` gets item counts 0..3 per sample (0: masked out), at least one sample holding an item.
 *
 * @example
 * randomInputs(graph, 8, 1).get("Y") // [1, 8] of 0s and 1s when Y feeds a bce node
 */
import type { Graph } from "../graph/graph.ts";
import { type Tensor, tensor, MAX_ELEMENTS } from "../tensor/tensor.ts";
import { GradstreamError } from "../errors.ts";
import { createRng } from "./random.ts";
import { getOp } from "../ops/registry.ts";
import type { TargetKind } from "../ops/op.ts";


export function randomInputs(graph: Graph, m: number, seed = 1): Map<string, Tensor> {
  const rng = createRng(seed ^ 0x5eed);
  const out = new Map<string, Tensor>();
  for (const input of graph.inputs) {
    const [rows, cols] = input.shape.map((d) => (d === "m" ? m : d)) as [number, number];
    if (rows * cols > MAX_ELEMENTS) throw new GradstreamError("USAGE", { node: input.id, message: `${rows}×${cols} exceeds the limit of ${MAX_ELEMENTS} elements; choose a smaller m` });
    const kind = targetKind(graph, input.id);
    const data = new Float64Array(rows * cols);
    if (kind === "binary") for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.5 ? 0 : 1;
    else if (kind === "onehot") for (let j = 0; j < cols; j++) data[rng.int(rows) * cols + j] = 1;
    else if (kind === "weights") {
      for (let i = 0; i < data.length; i++) data[i] = rng.int(4);
      if (data.every((w) => w === 0)) data[rng.int(data.length)] = 1 + rng.int(3);
    } else for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    out.set(input.id, tensor(rows, cols, data));
  }
  return out;
}

/** What the loss reading `id` as its target (operand 1) expects, if any loss does; or weights. */
function targetKind(graph: Graph, id: string): TargetKind | "weights" | undefined {
  for (const { node, slot } of graph.consumers.get(id) ?? []) {
    const op = getOp(graph.nodes.find((n) => n.id === node)!.op)!;
    if (op.weightsOperand === slot) return "weights";
    const target = slot === 1 ? op.target : undefined;
    if (target) return target;
  }
  return undefined;
}
