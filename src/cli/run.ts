/**
 * `gradstream run <graph>`: the forward pass; prints the loss and the predictions. For a classifier the
 * predictions are class probabilities and the predicted class of each sample (a softmax graph's loss reads
 * logits: they are turned into probabilities, not printed as if they were predictions); for `mse`, the
 * values compared with the targets.
 */
import { Command } from "commander";
import { assertFinite } from "../graph/assertFinite.ts";
import { forward } from "../graph/evaluate.ts";
import { allIds, type Graph } from "../graph/graph.ts";
import { getOp } from "../ops/registry.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { classProbabilities, predictClasses } from "../train/predictClasses.ts";
import { loadProblem } from "./loadProblem.ts";
import { display, formatMatrix, mapJson, matrixJson, formatNumber, printableJson } from "./format.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { runPlan } from "./memoryPlans.ts";

export function runCommand(): Command {
  return new Command("run")
    .description("forward pass: prints the loss and the predictions (class probabilities and the predicted class, for a classifier)")
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
      const predictions = predictionsOf(p.graph, values);
      if (opts.json) {
        const json = predictions.map((q) => ({ loss: q.loss, op: q.op, of: q.of, ...(q.probabilities ? { probabilities: matrixJson(q.probabilities), classes: Array.from(q.classes!) } : { values: matrixJson(q.values) }) }));
        console.log(printableJson({ graph: p.graph.name, dims: { m: p.m }, loss, values: mapJson(values, allIds(p.graph)), predictions: json }));
        return;
      }
      console.log(`${display(p.graph.name)}  m = ${p.m}  (${display(p.origin)})`);
      console.log(`${p.graph.loss} = ${formatNumber(loss, 17)}`);
      for (const q of predictions) {
        if (!q.probabilities) {
          console.log(`predictions ${q.of} [${q.values.shape.join("×")}]:\n${formatMatrix(q.values)}`);
          continue;
        }
        const how = q.op === "softmax_cross_entropy" ? `softmax(${q.of}), ${q.of} being logits` : q.op === "bce_logits" ? `σ(${q.of}), ${q.of} being logits` : q.of;
        const what = q.probabilities.shape[0] === 1 ? "probability of class 1" : "class probabilities, one column per sample";
        console.log(`${what}: ${how} [${q.probabilities.shape.join("×")}]:\n${formatMatrix(q.probabilities)}`);
        const shown = Array.from(q.classes!.subarray(0, 32)).join(" ");
        console.log(`predicted class (per sample): ${shown}${q.classes!.length > 32 ? ` … (${q.classes!.length - 32} more)` : ""}`);
      }
    });
}

interface Prediction {
  /** The per-sample loss node, its op, and the operand it compares with the targets. */
  loss: string;
  op: string;
  of: string;
  values: Tensor;
  /** For a classifier: class probabilities and the predicted class of each sample. */
  probabilities?: Tensor;
  classes?: Int32Array;
}

/** The predictions: what each per-sample loss compares with the targets (its first operand), read as its loss reads it. */
function predictionsOf(graph: Graph, values: ReadonlyMap<string, Tensor>): Prediction[] {
  return graph.nodes
    .filter((n) => getOp(n.op)!.kind === "loss")
    .map((n) => {
      const of = n.in[0];
      const v = values.get(of)!;
      const probabilities = classProbabilities(n.op, v);
      return { loss: n.id, op: n.op, of, values: v, probabilities, classes: probabilities && predictClasses(n.op, v) };
    });
}
