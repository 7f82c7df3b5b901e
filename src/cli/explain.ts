/** `gradstream explain <graph>`: the backward equations, node by node, and where the 1/m enters. */
import { Command } from "commander";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import { explainGraph } from "../graph/explainGraph.ts";
import { display, printableJson } from "./format.ts";

export function explainCommand(): Command {
  return new Command("explain")
    .description("the backward equations of the graph, node by node, in both conventions, and where the 1/m enters")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("--json", "machine-readable output")
    .action(async (graphPath: string, opts: { json?: boolean }) => {
      const graph = await loadGraphAndWarn(graphPath);
      const x = explainGraph(graph);
      if (opts.json) {
        console.log(printableJson(x, undefined, 2));
        return;
      }
      console.log(`${display(x.graph)}: backward pass of ${x.loss}, from the loss back to the inputs`);
      console.log(`  autodiff: dJ/dx for every x        dls: the course's dZ = ∂L/∂Z (per sample), dW = dJ/dW\n`);
      const widest = Math.max(...x.nodes.flatMap((n) => n.backward.map((e) => e.autodiff.length)));
      for (const n of x.nodes) {
        const mark = n.oneOverM ? "   ◀ the 1/m enters here" : n.oneOverSum ? `   ◀ the 1/m becomes 1/${n.oneOverSum} here: items, not samples` : "";
        console.log(`${n.id} = ${n.op}(${n.operands.join(", ")})  [${n.shape}]    ${n.forward}${mark}`);
        for (const e of n.backward) {
          const ad = e.autodiff.padEnd(widest);
          const note = e.mPower.dls < 0 ? `   ◀ 1/${x.normaliser} (sum over samples)` : "";
          console.log(`    ${ad}  │  ${e.dls}${note}`);
        }
      }
      console.log("");
      for (const line of x.summary) console.log(line);
    });
}
