/** `gradstream run <graph>`: the forward pass; prints the loss and the predictions. */
import { Command } from "commander";
import { assertFinite } from "../graph/assertFinite.ts";
import { forward } from "../graph/evaluate.ts";
import { allIds, type Graph } from "../graph/graph.ts";
import { getOp } from "../ops/registry.ts";
import { loadProblem } from "./loadProblem.ts";
import { formatMatrix, mapJson, formatNumber } from "./format.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { runPlan } from "./memoryPlans.ts";

export function runCommand(): Command {
  return new Command("run")
    .description("forward pass: prints the loss and the predictions")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("--data <file>", "data file (JSON) with inputs and optionally params")
    .option("--seed <n>", "seed for params absent from the data, and for random inputs", nonNegativeInt("--seed"), 1)
    .option("--m <n>", "batch size of the random inputs used when there is no --data", positiveInt("--m"), 4)
    .option("--json", "machine-readable output: every value at full precision")
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: { data?: string; seed: number; m: number; json?: boolean; maxMemory: number }) => {
      const p = await loadProblem(graphPath, opts, "run", (graph, m) => runPlan(graph, m, opts));
      const values = forward(p.graph, p.values);
      assertFinite(p.graph, values, "value");
      const loss = values.get(p.graph.loss)!.data[0];
      if (opts.json) {
        console.log(JSON.stringify({ graph: p.graph.name, dims: { m: p.m }, loss, values: mapJson(values, allIds(p.graph)) }));
        return;
      }
      console.log(`${p.graph.name}  m = ${p.m}  (${p.origin})`);
      console.log(`${p.graph.loss} = ${formatNumber(loss, 17)}`);
      for (const id of predictionIds(p.graph)) {
        const t = values.get(id)!;
        console.log(`${id} [${t.shape.join("×")}]:\n${formatMatrix(t)}`);
      }
    });
}

/** The predictions: what the loss functions compare with the targets (their first operand). */
export function predictionIds(graph: Graph): string[] {
  return graph.nodes.filter((n) => getOp(n.op)!.kind === "loss").map((n) => n.in[0]);
}
