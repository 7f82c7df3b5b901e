/**
 * Initial values of a graph's params from their `init` specs, drawn in declaration order from one seeded
 * generator: the same graph and seed always give the same params.
 *
 * @example
 * const params = initParams(graph, 1); // Map { "W1" => Tensor, ... }
 */
import type { Graph, ParamDecl } from "../graph/graph.ts";
import { type Tensor, tensor } from "../tensor/tensor.ts";
import { createRng, type Rng } from "./random.ts";

export function initParams(graph: Graph, seed = 1, only?: ReadonlySet<string>): Map<string, Tensor> {
  const rng = createRng(seed);
  const out = new Map<string, Tensor>();
  for (const p of graph.params) {
    const t = initParam(p, rng); // drawn even when skipped, so a param's value does not depend on which others are given
    if (!only || only.has(p.id)) out.set(p.id, t);
  }
  return out;
}

function initParam(p: ParamDecl, rng: Rng): Tensor {
  const [rows, cols] = p.shape;
  const data = new Float64Array(rows * cols);
  const init = p.init;
  // fan_in is the number of columns of W [n_out, n_in]
  const normal = (std: number) => {
    for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
  };
  if (init === "zeros") {
    // nothing to draw
  } else if (init === "he") normal(Math.sqrt(2 / cols));
  else if (init === "xavier") normal(Math.sqrt(2 / (cols + rows)));
  else if ("normal" in init) normal(init.normal);
  else for (let i = 0; i < data.length; i++) data[i] = rng.uniform(init.uniform[0], init.uniform[1]);
  return tensor(rows, cols, data);
}
