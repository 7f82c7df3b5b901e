/**
 * `gradstream render <graph>`: the graph laid out with elkjs as a standalone SVG. Without `-o` it writes
 * `<graph name>.svg` in the current directory; `-o -` writes to stdout. With `--data` (or `--values` for
 * random inputs) every box shows its value and gradient (every entry, for tensors of 2 to 16 entries).
 * `--direction down` lays it out top to bottom, narrow enough for a page column. The same graph and data
 * give the same bytes.
 */
import { writeFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { GradstreamError } from "../errors.ts";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import { backward, forward } from "../graph/evaluate.ts";
import { loadProblem } from "./loadProblem.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { gradPlan } from "./memoryPlans.ts";
import { display } from "./format.ts";

interface RenderOptions {
  output?: string;
  data?: string;
  values?: boolean;
  seed: number;
  m: number;
  maxMemory: number;
  direction: "right" | "down";
}

export function renderCommand(): Command {
  return new Command("render")
    .description("draws the graph as an SVG (elkjs layout, shapes on edges); with --data, each node's value and gradient")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("-o, --output <file>", "where to write the SVG; '-' for stdout (default: <graph name>.svg in the current directory)")
    .option("--data <file>", "data file (JSON): show each node's value and gradient dJ/dx")
    .option("--values", "show values and gradients for random inputs (batch size --m, --seed) when there is no --data")
    .option("--seed <n>", "seed for params absent from the data, and for random inputs", nonNegativeInt("--seed"), 1)
    .option("--m <n>", "batch size of the random inputs used with --values", positiveInt("--m"), 4)
    .addOption(maxMemoryOption())
    .addOption(new Option("--direction <way>", "which way data flows: right (wide) or down (narrow, for a page column)").choices(["right", "down"]).default("right"))
    .action(async (graphPath: string, opts: RenderOptions) => {
      // Loaded here, not at the top: elkjs takes a few hundred ms to load, which the other commands need not pay.
      const [{ layoutGraph }, { nodeSummaries }, { renderSvg }] = await Promise.all([import("../view/layoutGraph.ts"), import("../view/nodeSummaries.ts"), import("../view/renderSvg.ts")]);
      const withValues = Boolean(opts.data || opts.values);
      let svg: string;
      let name: string;
      if (withValues) {
        const p = await loadProblem(graphPath, opts, "render", (graph, m) => gradPlan(graph, m, {}));
        const values = forward(p.graph, p.values);
        const summaries = nodeSummaries(p.graph, values, backward(p.graph, values));
        svg = renderSvg(await layoutGraph(p.graph, { values: true, m: p.m, direction: opts.direction }), { summaries, m: p.m });
        name = p.graph.name;
      } else {
        const graph = await loadGraphAndWarn(graphPath);
        svg = renderSvg(await layoutGraph(graph, { direction: opts.direction }));
        name = graph.name;
      }
      if (opts.output === "-") {
        process.stdout.write(svg);
        return;
      }
      const out = opts.output ?? `${fileSafe(name)}.svg`;
      try {
        await writeFile(out, svg);
      } catch (e) {
        throw new GradstreamError("IO", { file: out, message: `cannot write the SVG: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      }
      console.log(`wrote ${display(out)}`);
    });
}

/** A graph's name may hold any text; the default file name keeps only what every file system accepts. */
function fileSafe(name: string): string {
  // At most 100 characters: a file name has a limit (255 bytes), a graph's name has none.
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[.]+/, "").slice(0, 100);
  return safe || "graph";
}
