/**
 * `gradstream split <graph>`: where does the 1/m go when a batch is split? Cuts the batch's samples in
 * order into micro-batches (`--parts K`: K nearly equal parts; `--sizes a,b,…`: given sizes adding up to
 * m), computes each micro-batch's own cost gradient gₖ, and compares the batch gradient with each way of
 * combining them, per param: `weighted` Σₖ (Wₖ/W)·gₖ, `mean` (1/K)·Σₖ gₖ, `sum` Σₖ gₖ. Exit 0 when the
 * rule chosen with `--combine` (default: the one that fits the cost) reproduces the batch gradient to 1e-10,
 * 1 when it does not (with a diagnosis naming the part it misweighs), 2 on bad input.
 *
 * @example
 * gradstream split graphs/masked-items.yaml --data data/masked-items.json --parts 2                 # exit 0
 * gradstream split graphs/masked-items.yaml --data data/masked-items.json --parts 2 --combine mean  # exit 1
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { GradstreamError } from "../errors.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";
import { COMBINE_RULES, type CombineRule, evenSizes } from "../verify/combineRule.ts";
import { SPLIT_TOLERANCE, type SplitReport, splitGradients } from "../verify/splitGradients.ts";
import { loadProblem } from "./loadProblem.ts";
import { display, formatNumber, printableJson } from "./format.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { splitPlan } from "./memoryPlans.ts";

interface SplitOptions {
  data?: string;
  m?: number;
  seed: number;
  parts?: number;
  sizes?: number[];
  combine?: CombineRule;
  json?: boolean;
  maxMemory: number;
}

/** "3,13" → [3, 13]: positive integers. */
export function parseSizes(value: string): number[] {
  const sizes = value.split(",").map((s) => s.trim());
  if (sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s)))) throw new InvalidArgumentError(`--sizes takes positive whole numbers separated by commas (3,13), got '${value}'`);
  return sizes.map(Number);
}

const DEFAULT_M = 16;

export function splitCommand(): Command {
  return new Command("split")
    .description("split the batch into micro-batches and compare the batch gradient with each way of combining theirs (weighted by items, mean, sum); exit 1 with a diagnosis when the chosen rule does not reproduce it")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .addOption(new Option("--data <file>", "data file (JSON) with inputs and optionally params; its m is split").conflicts("m"))
    .addOption(new Option("--m <n>", `batch size of the random inputs used when there is no --data (default ${DEFAULT_M})`).argParser(positiveInt("--m")))
    .addOption(new Option("--parts <k>", "cut the batch into K nearly equal micro-batches, in order").argParser(positiveInt("--parts")).conflicts("sizes"))
    .addOption(new Option("--sizes <list>", "cut it into micro-batches of these sizes, in order (they must add up to m)").argParser(parseSizes))
    .addOption(new Option("--combine <rule>", "the rule to test: weighted Σₖ (Wₖ/W)·gₖ, mean (1/K)·Σₖ gₖ, sum Σₖ gₖ (default: the one that fits the cost)").choices(COMBINE_RULES))
    .option("--seed <n>", "seed for params absent from the data, and for random inputs", nonNegativeInt("--seed"), 1)
    .option("--json", "machine-readable output")
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: SplitOptions) => {
      if ((opts.parts === undefined) === (opts.sizes === undefined)) throw new GradstreamError("USAGE", { file: graphPath, message: "split needs how to cut the batch: --parts K (K nearly equal parts) or --sizes a,b,… (sizes adding up to m)" });
      const parts = opts.parts ?? opts.sizes?.length ?? 1;
      const p = await loadProblem(graphPath, { data: opts.data, seed: opts.seed, m: opts.m ?? DEFAULT_M, maxMemory: opts.maxMemory }, "split", (graph, m) => splitPlan(graph, m, parts));
      if (!sampleStructure(p.graph).batched) throw new GradstreamError("USAGE", { file: graphPath, message: `nothing to split: no input that ${p.graph.loss} depends on carries samples (m)` });
      const where = { file: opts.data ?? graphPath };
      if (opts.parts !== undefined && opts.parts > p.m) throw new GradstreamError("USAGE", { ...where, message: `--parts ${opts.parts}: the batch has only m = ${p.m} samples, so at most ${p.m} parts` });
      const sizes = opts.sizes ?? evenSizes(p.m, opts.parts!);
      const total = sizes.reduce((a, b) => a + b, 0);
      if (total !== p.m) throw new GradstreamError("USAGE", { ...where, message: `--sizes ${sizes.join(",")} add up to ${total}, but the batch has m = ${p.m} samples` });

      const report = splitGradients(p.graph, p.values, sizes);
      const chosen = opts.combine ?? report.fitting ?? "weighted";
      const result = report.rules[chosen];
      if (opts.json) console.log(printableJson(toJson(report, graphPath, p.origin, chosen)));
      else printReport(report, p.origin, chosen, opts.combine !== undefined);
      // Exit 1: the rule does not reproduce the batch gradient. GradstreamError "COMPUTE" is how a command ends with status 1.
      if (!result.pass) throw new GradstreamError("COMPUTE", { file: graphPath, message: `split failed: --combine ${chosen}: ${result.diagnosis}` });
    });
}

const FORMULAS: Record<CombineRule, string> = { weighted: "Σₖ (Wₖ/W)·gₖ", mean: "(1/K)·Σₖ gₖ", sum: "Σₖ gₖ" };

function printReport(r: SplitReport, origin: string, chosen: CombineRule, asked: boolean): void {
  const K = r.parts.length;
  console.log(`${display(r.graph)}: the batch of m = ${r.m} samples (${display(origin)}) cut in order into ${K} micro-batch${K === 1 ? "" : "es"}`);
  const red = r.reduction;
  if (red?.weights) console.log(`cost: ${red.node} = ${red.op}(${red.operand}, ${red.weights}), a mean over the ${show(r.items)} items (Σ${red.weights}), not over the ${r.m} samples`);
  else if (red) console.log(`cost: ${red.node} = ${red.op}(${red.operand}), a ${red.op === "sum" ? "sum" : "mean"} over the m = ${r.m} samples`);
  for (const c of r.structure.coupling) console.log(`samples coupled at node ${c.node} (${c.op}): ${c.reason}`);

  const unitHeader = r.unit === "items" ? `items (Σ${red?.weights})` : "items (samples)";
  const rows = r.parts.map((p, k) => [String(k + 1), `${p.start}..${p.start + p.count - 1}`, show(p.items), p.loss === undefined ? "— (no items)" : formatNumber(p.loss, 6)]);
  rows.push(["batch", `0..${r.m - 1}`, show(r.items), formatNumber(r.loss, 6)]);
  console.log("");
  table([["part", "samples", unitHeader, "own cost Jₖ"], ...rows]);

  console.log(`\neach micro-batch's own cost gradient gₖ, combined three ways (W = ${show(r.items)} ${r.unit}, Wₖ in part k):`);
  table(COMBINE_RULES.map((rule) => [rule, FORMULAS[rule], `weights ${listed(r.rules[rule].weights.map((w, k) => weightText(r, rule, k, w)))}`, `cost ${formatNumber(r.rules[rule].loss, 6)}`]));

  console.log(`\nrelative difference from the batch gradient g, ‖g_rule − g‖/(‖g_rule‖ + ‖g‖); ✗ above ${SPLIT_TOLERANCE.toExponential(0)}, ° below it only by rounding:`);
  const params = r.rules.weighted.params.map((p) => p.param);
  table([
    ["param", ...COMBINE_RULES],
    ...params.map((param, i) => [param, ...COMBINE_RULES.map((rule) => cell(r.rules[rule].params[i]))]),
  ]);

  console.log("");
  const fits = r.fitting ? `the rule for this cost is ${r.fitting}: ${r.why}` : r.why;
  console.log(asked && chosen !== r.fitting ? `--combine ${chosen} (asked for; ${fits})` : `--combine ${chosen} (${fits})`);
  const result = r.rules[chosen];
  if (result.pass) console.log(`PASS: the ${chosen} rule reproduces the batch gradient (largest relative difference ${result.relativeDifference.toExponential(1)} ≤ ${SPLIT_TOLERANCE.toExponential(0)}).`);
  else console.log(`FAIL: ${result.diagnosis}`);
  const others = COMBINE_RULES.filter((rule) => rule !== chosen && !r.rules[rule].pass);
  if (others.length) {
    console.log("the other rules:");
    for (const rule of others) console.log(`  ${rule}: ${r.rules[rule].diagnosis}`);
  }
}

function weightText(r: SplitReport, rule: CombineRule, k: number, w: number): string {
  if (rule === "mean") return `1/${r.parts.length}`;
  if (rule === "sum") return "1";
  const a = r.parts[k].items;
  return Number.isInteger(a) && Number.isInteger(r.items) ? `${a}/${r.items}` : show(w);
}

function listed(items: string[]): string {
  return items.length <= 8 ? items.join(", ") : `${items.slice(0, 7).join(", ")}, … (${items.length})`;
}

function cell(p: { relativeDifference: number; pass: boolean; withinRounding: boolean }): string {
  const x = p.relativeDifference === 0 ? "0" : p.relativeDifference.toExponential(1);
  return `${x}${!p.pass ? " ✗" : p.withinRounding ? " °" : ""}`;
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log("  " + row.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

function show(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function toJson(r: SplitReport, file: string, origin: string, chosen: CombineRule) {
  return {
    graph: r.graph,
    file,
    data: origin,
    m: r.m,
    loss: r.loss,
    items: r.items,
    unit: r.unit,
    reduction: r.reduction ?? null,
    parts: r.parts.map((p) => ({ ...p, loss: p.loss ?? null })),
    fitting: r.fitting ?? null,
    why: r.why,
    combine: chosen,
    pass: r.rules[chosen].pass,
    rules: r.rules,
  };
}
