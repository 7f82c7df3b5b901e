/**
 * `gradstream grad <graph>`: forward and backward. By default every gradient is dJ/dx; with
 * `--convention dls` per-sample tensors get the course's ∂L/∂x = m·dJ/dx and params keep dJ/dx.
 */
import { Command, Option } from "commander";
import { assertFinite } from "../graph/assertFinite.ts";
import { backward, forward } from "../graph/evaluate.ts";
import { allIds, hasBatchDim, type Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { scale } from "../tensor/kernels.ts";
import { perSamplePower } from "../graph/explainGraph.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";
import { sampleWeights } from "../verify/sampleWeights.ts";
import { loadProblem } from "./loadProblem.ts";
import { display, formatMatrix, formatNumber, mapJson, printableJson, summary } from "./format.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { gradPlan } from "./memoryPlans.ts";

export type Convention = "autodiff" | "dls";

/**
 * Converts dJ/dx gradients to a convention. dls gives per-sample tensors (those with m) the per-sample
 * ∂L/∂x: m·dJ/dx for a mean cost (the course's case), dJ/dx itself for a cost summed over the samples,
 * which has no 1/m to undo. Params and reduced tensors keep dJ/dx. For a mean over items
 * (`weighted_mean(L, M)`) `normaliser` is ΣM, not m: dZ = ΣM·dJ/dZ = M ⊙ ∂L/∂Z.
 */
export function inConvention(graph: Graph, grads: ReadonlyMap<string, Tensor>, normaliser: number, convention: Convention): Map<string, Tensor> {
  if (convention === "autodiff") return new Map(grads);
  const factor = normaliser ** perSamplePower(graph);
  const out = new Map<string, Tensor>();
  for (const [id, g] of grads) out.set(id, hasBatchDim(graph.shapes.get(id)!) && factor !== 1 ? scale(g, factor) : g);
  return out;
}

export function gradCommand(): Command {
  return new Command("grad")
    .description("forward and backward pass: prints the loss and the gradient of every input, param and node")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("--data <file>", "data file (JSON) with inputs and optionally params")
    .option("--seed <n>", "seed for params absent from the data, and for random inputs", nonNegativeInt("--seed"), 1)
    .option("--m <n>", "batch size of the random inputs used when there is no --data", positiveInt("--m"), 4)
    .option("--json", "machine-readable output: every value and gradient at full precision")
    .addOption(
      new Option("--convention <name>", "autodiff: dJ/dx everywhere; dls: the course's per-sample dZ = ∂L/∂Z = m·dJ/dZ, and dW, db = dJ/dW, dJ/db")
        .choices(["autodiff", "dls"])
        .default("autodiff"),
    )
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: { data?: string; seed: number; m: number; json?: boolean; convention: Convention; maxMemory: number }) => {
      const p = await loadProblem(graphPath, opts, "grad", (graph, m) => gradPlan(graph, m, opts));
      const values = forward(p.graph, p.values);
      assertFinite(p.graph, values, "value");
      const weights = sampleWeights(p.graph, values);
      const weightsId = sampleStructure(p.graph).weights;
      const normaliser = weights ? weights.reduce((a, b) => a + b, 0) : p.m;
      const grads = inConvention(p.graph, backward(p.graph, values), normaliser, opts.convention);
      assertFinite(p.graph, grads, "gradient");
      const loss = values.get(p.graph.loss)!.data[0];
      const ids = allIds(p.graph);
      if (opts.json) {
        console.log(printableJson({ graph: p.graph.name, dims: { m: p.m }, convention: opts.convention, loss, values: mapJson(values, ids), grads: mapJson(grads, ids) }));
        return;
      }
      const dls = opts.convention === "dls";
      console.log(`${display(p.graph.name)}  m = ${p.m}  (${display(p.origin)})`);
      console.log(`${p.graph.loss} = ${formatNumber(loss, 17)}`);
      console.log(dls ? `\nparams: dW = dJ/dW (the 1/${weightsId ? `Σ${weightsId}` : "m"} is in here)` : "\nparams: dJ/dx");
      for (const d of p.graph.params) console.log(`  ${dls ? "d" : "dJ/d"}${d.id} [${d.shape.join("×")}]:\n${formatMatrix(grads.get(d.id)!)}`);
      const perSampleText = weightsId ? `per-sample dZ = Σ${weightsId}·dJ/dZ = ${weightsId} ⊙ ∂L/∂Z (no 1/Σ${weightsId}; Σ${weightsId} = ${normaliser})` : "per-sample dZ = ∂L/∂Z = m·dJ/dZ (no 1/m)";
      console.log(dls ? `\ninputs and nodes: ${perSampleText}` : "\ninputs and nodes: dJ/dx");
      const width = Math.max(...ids.map((id) => id.length)) + 4;
      for (const id of [...p.graph.inputs.map((d) => d.id), ...p.graph.nodes.map((n) => n.id)]) {
        const g = grads.get(id)!;
        const label = `  ${(dls && hasBatchDim(p.graph.shapes.get(id)!) ? "d" : "dJ/d") + id}`.padEnd(width + 2) + ` [${g.shape.join("×")}]`;
        // Small tensors are shown whole (the per-sample columns are the point); large ones by their norm.
        console.log(g.data.length > 1 && g.shape[0] <= 4 && g.shape[1] <= 8 ? `${label}:\n${formatMatrix(g)}` : `${label}  ${summary(g)}`);
      }
      console.log("\n(--json prints every value and gradient at full precision)");
    });
}
