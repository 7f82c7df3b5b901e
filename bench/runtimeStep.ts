/**
 * gradstream's side of `npm run bench`: a dense relu network with a softmax cross-entropy loss, wired
 * into the reactive runtime the way a training loop uses it — the loss and every param's gradient
 * observed (and kept by the observer, as a training loop that records them does; or only borrowed, read in
 * the callback) — and one step = one transaction
 * that sets the batch X, so the forward pass and the backward pass to the params run once each.
 *
 * @example
 * const net = await runtimeStep([784, 128, 10], 64, 1);   // graphs/mnist-softmax.yaml at m = 64
 * net.step();                                             // one forward + backward through the runtime
 * net.flops;                                              // floating-point operations of the products
 * net.dispose();
 */
import { fileURLToPath } from "node:url";
import { parseGraph } from "../src/graph/parseGraph.ts";
import { loadGraph } from "../src/node/loadGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { randomBindings } from "../src/data/bindData.ts";
import { createRuntime } from "../src/runtime/createRuntime.ts";
import type { Tensor } from "../src/tensor/tensor.ts";

export interface RuntimeStep {
  readonly graph: Graph;
  /** The bound inputs and params (the same numbers a peer is given). */
  readonly values: ReadonlyMap<string, Tensor>;
  step(): void;
  /** The loss and dJ/d(param) of the last step. */
  readonly last: { J: number; grads: Record<string, Tensor> };
  /** Floating-point operations of the step's matrix products (2 per multiply-add). */
  readonly flops: number;
  /** Bytes of the params' gradients, which the observer keeps each step. */
  readonly gradBytes: number;
  dispose(): void;
}

/** The layer sizes' network: graphs/mnist-softmax.yaml for [784, 128, 10], else written out here. */
export async function networkGraph(sizes: readonly number[]): Promise<Graph> {
  if (sizes.join() === "784,128,10") return loadGraph(fileURLToPath(new URL("../graphs/mnist-softmax.yaml", import.meta.url)));
  const L = sizes.length - 1;
  const lines = [`gradstream: 1`, `name: mlp-${sizes.join("-")}`, `inputs:`, `  X: { shape: [${sizes[0]}, m] }`, `  Y: { shape: [${sizes[L]}, m] }`, `params:`];
  for (let l = 1; l <= L; l++) lines.push(`  W${l}: { shape: [${sizes[l]}, ${sizes[l - 1]}], init: he }`, `  b${l}: { shape: [${sizes[l]}, 1], init: zeros }`);
  lines.push(`nodes:`);
  for (let l = 1; l <= L; l++) {
    lines.push(`  Z${l}: { op: linear, in: [W${l}, ${l === 1 ? "X" : `A${l - 1}`}, b${l}] }`);
    if (l < L) lines.push(`  A${l}: { op: relu, in: [Z${l}] }`);
  }
  lines.push(`  L: { op: softmax_cross_entropy, in: [Z${L}, Y] }`, `  J: { op: mean, in: [L] }`, `loss: J`);
  return parseGraph(lines.join("\n"), "yaml", `mlp-${sizes.join("-")}`);
}

/** Multiply-adds ×2 of one step: each layer's forward product and dW, and dA for every layer but the first. */
export function stepFlops(sizes: readonly number[], m: number): number {
  let macs = 0;
  for (let l = 1; l < sizes.length; l++) macs += (l === 1 ? 2 : 3) * sizes[l] * sizes[l - 1] * m;
  return 2 * macs;
}

/**
 * With `borrow`, the observer reads each gradient in its callback only (as a loop that applies it at once
 * does: `grad$(id, { borrow: true })`), so the runtime may write the next one into the same buffer.
 */
export async function runtimeStep(sizes: readonly number[], m: number, seed: number, { borrow = false } = {}): Promise<RuntimeStep> {
  const graph = await networkGraph(sizes);
  const { values } = randomBindings(graph, m, seed);
  const init = { inputs: {} as Record<string, Tensor>, params: {} as Record<string, Tensor> };
  for (const d of graph.inputs) init.inputs[d.id] = values.get(d.id)!;
  for (const d of graph.params) init.params[d.id] = values.get(d.id)!;
  const runtime = createRuntime(graph, init);
  const last = { J: NaN, grads: {} as Record<string, Tensor> };
  const subscriptions = [runtime.value$(graph.loss).subscribe((t) => (last.J = t.data[0]))];
  for (const p of graph.params) subscriptions.push(runtime.grad$(p.id, { borrow }).subscribe((g) => (last.grads[p.id] = g)));
  const X = init.inputs.X;
  return {
    graph,
    values,
    step: () => runtime.set({ X }),
    last,
    flops: stepFlops(sizes, m),
    gradBytes: graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1] * 8, 0),
    dispose: () => {
      for (const s of subscriptions) s.unsubscribe();
      runtime.dispose();
    },
  };
}
