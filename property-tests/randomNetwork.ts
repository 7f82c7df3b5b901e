/**
 * Random feed-forward networks as graph files, for the property tests: 1–4 layers, widths 1–`maxWidth`,
 * every activation, every loss, built as the plain object a user would write in YAML and read back with
 * `parseGraph`, so the generated graphs go through the same validation as shipped ones. Layers are written
 * as `linear`, or as `matmul` + broadcast `add`, optionally followed by a broadcast `mul` by a per-unit
 * scale, so every way a param meets the samples is exercised. fast-check shrinks a failing network toward
 * fewer, narrower layers.
 *
 * @example
 * fc.assert(fc.property(networkArb({ maxWidth: 4 }), (net) => { const graph = networkGraph(net); ... }));
 */
import fc from "fast-check";
import { parseGraph } from "../src/graph/parseGraph.ts";
import type { Graph } from "../src/graph/graph.ts";

export const ACTIVATIONS = ["sigmoid", "relu", "tanh", "identity", "leaky_relu", "softmax"] as const;
export const LOSSES = ["bce", "bce_logits", "softmax_cross_entropy", "cross_entropy", "mse"] as const;

type Activation = (typeof ACTIVATIONS)[number];
type Loss = (typeof LOSSES)[number];
type Init = "he" | "xavier" | { normal: number };

export interface LayerSpec {
  width: number;
  activation: Activation;
  form: "linear" | "matmul_add";
  scaled: boolean;
  init: Init;
}

export interface NetworkSpec {
  inputWidth: number;
  /** Hidden layers (0–3); with the output layer the network has 1–4 layers. */
  hidden: LayerSpec[];
  loss: Loss;
  /** Width of the output layer where the loss allows more than one row. */
  outputWidth: number;
  /** Activation of the output for `mse` (the other losses fix it). */
  outputActivation: Activation;
  outputForm: "linear" | "matmul_add";
  /**
   * The cost: `mean` over the samples (default), or `weighted_mean` over the items that an input
   * M `[1,m]` counts (a mask, or item counts), J = Σᵢ Mᵢ·Lᵢ / ΣM.
   */
  cost?: "mean" | "weighted_mean";
}

/** Networks with widths 1..maxWidth; with `weighted`, the cost is a mean or a weighted mean (half each). */
export function networkArb({ maxWidth = 8, weighted = false }: { maxWidth?: number; weighted?: boolean } = {}): fc.Arbitrary<NetworkSpec> {
  const width = fc.integer({ min: 1, max: maxWidth });
  const form = fc.constantFrom("linear" as const, "matmul_add" as const);
  const layer: fc.Arbitrary<LayerSpec> = fc.record({
    width,
    activation: fc.constantFrom(...ACTIVATIONS),
    form,
    scaled: fc.boolean(),
    init: fc.constantFrom<Init>("xavier", "he", { normal: 0.5 }),
  });
  return fc.record({
    inputWidth: width,
    hidden: fc.array(layer, { minLength: 0, maxLength: 3 }),
    loss: fc.constantFrom(...LOSSES),
    outputWidth: width,
    outputActivation: fc.constantFrom(...ACTIVATIONS),
    outputForm: form,
    ...(weighted && { cost: fc.constantFrom("mean" as const, "weighted_mean" as const) }),
  });
}

/** The graph-file object of a network (what a user would write in YAML). */
export function networkFile(spec: NetworkSpec): Record<string, unknown> {
  const binary = spec.loss === "bce" || spec.loss === "bce_logits";
  const outWidth = binary ? 1 : spec.outputWidth;
  const head: Activation | undefined = spec.loss === "bce" ? "sigmoid" : spec.loss === "cross_entropy" ? "softmax" : spec.loss === "mse" ? spec.outputActivation : undefined;
  const params: Record<string, unknown> = {};
  const nodes: Record<string, unknown> = {};
  let previous = "X";
  let previousWidth = spec.inputWidth;
  const layers: (LayerSpec | { width: number; activation?: Activation; form: LayerSpec["form"]; scaled: false; init: Init })[] = [
    ...spec.hidden,
    { width: outWidth, activation: head, form: spec.outputForm, scaled: false, init: "xavier" },
  ];
  layers.forEach((layer, i) => {
    const l = i + 1;
    params[`W${l}`] = { shape: [layer.width, previousWidth], init: layer.init };
    params[`b${l}`] = { shape: [layer.width, 1], init: { normal: 0.1 } };
    if (layer.form === "linear") nodes[`Z${l}`] = { op: "linear", in: [`W${l}`, previous, `b${l}`] };
    else {
      nodes[`P${l}`] = { op: "matmul", in: [`W${l}`, previous] };
      nodes[`Z${l}`] = { op: "add", in: [`P${l}`, `b${l}`] };
    }
    let out = `Z${l}`;
    if (layer.scaled) {
      params[`g${l}`] = { shape: [layer.width, 1], init: { uniform: [0.5, 1.5] } };
      nodes[`S${l}`] = { op: "mul", in: [out, `g${l}`] };
      out = `S${l}`;
    }
    if (layer.activation) {
      nodes[`A${l}`] = { op: layer.activation, in: [out] };
      out = `A${l}`;
    }
    previous = out;
    previousWidth = layer.width;
  });
  nodes.L = { op: spec.loss, in: [previous, "Y"] };
  const weighted = spec.cost === "weighted_mean";
  nodes.J = weighted ? { op: "weighted_mean", in: ["L", "M"] } : { op: "mean", in: ["L"] };
  return {
    gradstream: 1,
    name: "random-network",
    inputs: { X: { shape: [spec.inputWidth, "m"] }, Y: { shape: [outWidth, "m"] }, ...(weighted && { M: { shape: [1, "m"] } }) },
    params,
    nodes,
    loss: "J",
  };
}

export function networkGraph(spec: NetworkSpec): Graph {
  return parseGraph(JSON.stringify(networkFile(spec)), "json", "random-network.json");
}
