/**
 * `gradstream check <graph>`: is the batch gradient the mean of the per-sample gradients, for this graph, at
 * every m tried? Runs the scaling property (per-sample gradients by slicing and vectorised, finite
 * differences, permuted and duplicated batches, the sum cost) with fast-check on random data, or on a data
 * file, and prints one row per param: the largest relative difference of each comparison over all runs
 * and the scale ratio batch ÷ (m^k × mean of per-sample gradients). Exit 0 when every comparison holds, 1
 * when one fails (with the shrunk counterexample m, seed, param and a diagnosis), 2 on bad input.
 *
 * @example
 * gradstream check graphs/planar-tanh.yaml --m 1..32 --runs 50 --seed 7
 * gradstream check graphs/coupled-batchnorm.yaml --json   # exit 1: node C couples samples
 */
import { Command, InvalidArgumentError } from "commander";
import { SingleBar } from "cli-progress";
import { GradstreamError } from "../errors.ts";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import { loadData } from "../node/loadData.ts";
import { COMPARISONS, type ComparisonName, type ScalingReport } from "../verify/checkScaling.ts";
import type { ScalingPropertyResult } from "../verify/scalingProperty.ts";
import type { Graph } from "../graph/graph.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { budgetCheck, checkPlan } from "./memoryPlans.ts";
import { display, printableJson } from "./format.ts";

const MAX_M = 1 << 16;

/** "8" → [8]; "1,2,8" → [1, 2, 8]; "1..64" → { min: 1, max: 64 }. */
export function parseBatchSizes(value: string): number[] | { min: number; max: number } {
  const int = (s: string) => {
    const n = Number(s);
    if (!/^\d+$/.test(s.trim()) || n < 1 || n > MAX_M) throw new InvalidArgumentError(`--m takes batch sizes from 1 to ${MAX_M}, as a list (1,2,8) or a range (1..64); got '${value}'`);
    return n;
  };
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(value);
  if (range) {
    const [min, max] = [int(range[1]), int(range[2])];
    if (min > max) throw new InvalidArgumentError(`--m range ${value}: the first bound must not exceed the second`);
    return { min, max };
  }
  return value.split(",").map(int);
}

interface CheckOptions {
  data?: string;
  m?: number[] | { min: number; max: number };
  runs: number;
  seed?: number;
  fdCoords: number;
  chunk?: number;
  json?: boolean;
  workers?: number;
  maxMemory: number;
}

export function checkCommand(): Command {
  return new Command("check")
    .description("batch gradient vs mean of per-sample gradients (by slicing and vectorised) vs finite differences, with permuted, duplicated and sum-cost batches; exit 1 with a diagnosis when one fails")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("--data <file>", "data file (JSON): check on its inputs (and params) instead of random data; its m is used")
    .option("--m <list|A..B>", "batch sizes of the random data: a list (1,2,8) or a range (1..64); default 1..16", parseBatchSizes)
    .option("--runs <n>", "random cases to try", positiveInt("--runs", 100_000), 20)
    .option("--seed <n>", "fast-check seed, to replay a run (default: random, printed)", nonNegativeInt("--seed"))
    .option("--fd-coords <n>", "entries per param checked by finite differences (0: skip)", nonNegativeInt("--fd-coords"), 16)
    .option("--chunk <n>", "per-sample gradients held in memory at once (default: as many as fit in 1 MiB)", positiveInt("--chunk", 4096))
    .option("--workers <n>", "run the cases in n worker threads at once (the same cases, results and shrinking as without)", positiveInt("--workers", 64))
    .option("--json", "machine-readable output")
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: CheckOptions) => {
      const graph = await loadGraphAndWarn(graphPath);
      const budget = budgetCheck(graph, "check", opts.maxMemory, (m) => checkPlan(graph, m, opts), opts.data);
      const data = opts.data ? await loadData(opts.data, graph, 1, { maxMemory: opts.maxMemory, raise: "--max-memory", checkBatchSize: budget }) : undefined;
      if (data && opts.m) throw new GradstreamError("USAGE", { file: opts.data, message: `--m cannot be used with --data: the data file fixes m = ${data.m}` });
      const mSpec = opts.m ?? { min: 1, max: 16 };
      if (!data) budget("min" in mSpec ? mSpec.max : Math.max(...mSpec));
      const seed = opts.seed ?? Math.floor(Math.random() * 0x7fffffff);
      // fast-check is loaded only when a check runs, so the other commands start without it.
      const { checkScalingProperty, scalingCases } = await import("../verify/scalingProperty.ts");
      const progress = progressBar(opts.runs);
      const caseOptions = { fdCoordinates: opts.fdCoords, chunkSize: opts.chunk };
      let result: ScalingPropertyResult;
      try {
        // With workers, the cases fast-check will try are computed ahead, in parallel; the property then
        // replays them from those reports, and shrinks a failure here as it would without workers.
        let reports: Map<string, ScalingReport> | undefined;
        if (opts.workers) {
          const cases = scalingCases(graph, { m: mSpec, data: data?.values, runs: opts.runs, seed });
          const pool = (await import("../node/workerPool.ts")).createWorkerPool(graph, opts.workers, { data: data?.values });
          try {
            const done = await pool.checkCases(cases, caseOptions, () => progress.tick("run"));
            reports = new Map(cases.map(([m, s], k) => [`${m} ${s}`, done[k]]));
          } finally {
            await pool.close();
          }
        }
        result = checkScalingProperty(graph, { m: mSpec, data: data?.values, runs: opts.runs, seed, ...caseOptions, reports, onInstance: (_r, phase) => (!reports || phase === "shrink") && progress.tick(phase) });
      } finally {
        progress.stop();
      }
      const mText = data ? `m = ${data.m} (${display(opts.data!)})` : "min" in mSpec ? `m in ${mSpec.min}..${mSpec.max}` : `m in {${mSpec.join(", ")}}`;
      const mFlag = data ? `--data ${opts.data}` : `--m ${"min" in mSpec ? `${mSpec.min}..${mSpec.max}` : mSpec.join(",")}`;
      const replay = `gradstream check ${graphPath} ${mFlag} --runs ${opts.runs} --seed ${result.seed}${opts.fdCoords !== 16 ? ` --fd-coords ${opts.fdCoords}` : ""}`;
      if (opts.json) console.log(printableJson(toJson(graph, graphPath, mText, result, replay), finite));
      else printReport(graph, graphPath, mText, result, replay, !!data);
      // Exit 1: the check ran and failed. GradstreamError "COMPUTE" is how a command ends with status 1.
      if (!result.pass) throw new GradstreamError("COMPUTE", { file: graphPath, message: `check failed: ${headline(result)}` });
    });
}

const COLUMNS: readonly [ComparisonName, string][] = [
  ["slicing", "slicing"],
  ["vectorised", "vectorised"],
  ["perSample", "per-sample"],
  ["fd", "finite-diff"],
  ["permutation", "permuted"],
  ["duplication", "doubled"],
  ["sumCost", "sum-cost"],
  ["split", "split"],
];

function printReport(graph: Graph, graphPath: string, mText: string, r: ScalingPropertyResult, replay: string, fixedData: boolean): void {
  const structure = sampleStructure(graph);
  console.log(`${display(graph.name)}: batch gradient vs per-sample gradients, ${mText}, ${r.runs} run${r.runs === 1 ? "" : "s"}${r.shrinks ? ` + ${r.shrinks} shrinking steps` : ""} (fast-check seed ${r.seed})`);
  const cost = structure.reductions.map((x) => `${x.node} = ${x.op}(…)`).join(", ");
  if (structure.scalePower !== undefined && structure.weights) console.log(`cost reduced over the items at ${cost}: expected batch gradient = Σᵢ ${structure.weights}ᵢ·∇Lᵢ / Σ${structure.weights}, the ${structure.weights}-weighted mean of per-sample gradients`);
  else if (structure.scalePower !== undefined) console.log(`cost reduced over the samples at ${cost}: expected batch gradient = ${structure.scalePower === 0 ? "mean" : `m^${structure.scalePower} × mean`} of per-sample gradients`);
  else console.log(`no per-sample identity to expect: ${structure.scaleNote}`);
  for (const c of structure.coupling) console.log(`samples coupled at node ${c.node} (${c.op}): ${c.reason}`);
  console.log("each column: the largest relative difference ‖a − b‖/(‖a‖ + ‖b‖) over all runs; ✗: failed; °: above the tolerance but");
  console.log("  below what float64 rounding can cause (a gradient too small, or sums that cancel too far, for the relative measure)");
  console.log(`  slicing, vectorised: batch vs m^k × mean of per-sample gradients ∇Lᵢ (k = 0 for a mean cost, 1 for a sum${structure.weights ? `; each ∇Lᵢ weighted by ${structure.weights}ᵢ` : ""})`);
  console.log("  per-sample: vectorised ∇Lᵢ vs ∇Lᵢ by slicing; finite-diff: batch vs finite differences; permuted, doubled: the");
  console.log("  batch reordered, and taken twice (m → 2m); sum-cost: gradient of Σᵢ Lᵢ vs m × that of the mean; split: the batch cut at");
  console.log("  random into 2–8 parts, their own gradients gₖ combined by the weighted rule Σₖ (Wₖ/W)·gₖ (Σₖ gₖ for a sum cost) vs the batch");
  console.log("  (gradstream split shows one split in full); ratio: batch ÷ m^k·mean (slicing)\n");
  const header = ["param", ...COLUMNS.map(([, label]) => label), "ratio"];
  const tolerances = ["tolerance", ...COLUMNS.map(([name]) => `≤ ${COMPARISONS[name].tolerance.toExponential(0)}`), ""];
  const rows = graph.params.map((p) => {
    const w = r.worst.get(p.id);
    const cells = COLUMNS.map(([name]) => {
      const c = w?.get(name);
      if (!c) return "—";
      return `${c.relativeDifference === 0 ? "0" : c.relativeDifference.toExponential(1)}${c.failed ? " ✗" : c.withinRounding ? " °" : ""}`;
    });
    const s = w?.get("slicing");
    return [p.id, ...cells, s && Number.isFinite(s.ratio) ? String(Number(s.ratio.toPrecision(6))) : "—"];
  });
  const table = [header, tolerances, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log("  " + row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  const fdNotes = graph.params.flatMap((p) => {
    const e = r.fdEntries.get(p.id);
    if (!e || e.nonSmooth + e.noisy === 0) return [];
    return [`${p.id}: ${e.nonSmooth} of ${e.compared + e.nonSmooth} at a kink${e.noisy ? `, ${e.noisy} noisy` : ""}`];
  });
  if (fdNotes.length) {
    console.log(`\nfinite differences: entries where the cost has a kink at θ (a relu input exactly 0: no derivative) are`);
    console.log(`  not compared; entries where it is noisier than its estimated precision are compared within that noise`);
    console.log(`  ${fdNotes.join("; ")}`);
  }
  if (r.notApplicable.length) {
    console.log("\nnot applicable:");
    for (const n of r.notApplicable) console.log(`  ${n.comparison}: ${n.reason}`);
  }
  console.log("");
  if (r.pass) {
    console.log(`PASS: every comparison holds for every case tried (${mText}).`);
    return;
  }
  const c = r.counterexample!;
  console.log(`FAIL: ${headline(r)}`);
  console.log(`counterexample (shrunk): m = ${c.m}, data seed ${c.seed}${fixedData ? " (permutation seed)" : ""}`);
  for (const line of groupedFailures(r)) console.log(`  ${line}`);
  console.log(`\nreplay: ${display(replay)}`);
  if (!fixedData) console.log(`this batch: gradstream grad ${display(graphPath)} --m ${c.m} --seed ${c.seed}`);
}

/** One line per (comparison, diagnosis), naming every param it applies to. */
function groupedFailures(r: ScalingPropertyResult): string[] {
  const groups = new Map<string, string[]>();
  for (const f of r.counterexample!.report.failures) {
    const key = `${f.comparison}\u0000${f.diagnosis}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(f.param);
  }
  return [...groups].map(([key, params]) => {
    const [comparison, diagnosis] = key.split("\u0000");
    return `${comparison} (${params.join(", ")}): ${diagnosis}`;
  });
}

function headline(r: ScalingPropertyResult): string {
  const c = r.counterexample!;
  const first = c.report.failures[0];
  return `at m = ${c.m}, seed ${c.seed}, param ${first.param}: ${first.diagnosis}`;
}

function toJson(graph: Graph, graphPath: string, mText: string, r: ScalingPropertyResult, replay: string) {
  const params: Record<string, Record<string, unknown>> = {};
  for (const p of graph.params) {
    const out: Record<string, unknown> = {};
    for (const [name, w] of r.worst.get(p.id) ?? []) out[name] = { maxRelativeDifference: w.relativeDifference, tolerance: w.tolerance, withinRounding: w.withinRounding, ratio: w.ratio, m: w.m, failed: w.failed };
    params[p.id] = out;
  }
  const c = r.counterexample;
  return {
    graph: graph.name,
    file: graphPath,
    batch: mText,
    pass: r.pass,
    runs: r.runs,
    shrinks: r.shrinks,
    seed: r.seed,
    params,
    fdEntries: Object.fromEntries(r.fdEntries),
    notApplicable: r.notApplicable,
    counterexample: c && {
      m: c.m,
      seed: c.seed,
      failures: c.report.failures,
      structure: c.report.structure,
      replay,
    },
    fastCheckReport: r.fastCheckReport,
  };
}

/** JSON has no NaN or ∞: they become null. */
function finite(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

/**
 * A bar on stderr for runs that take a while: only on a terminal, and only once a second has passed, so
 * short checks and piped output stay clean.
 */
function progressBar(runs: number): { tick(phase: "run" | "shrink"): void; stop(): void } {
  if (!process.stderr.isTTY) return { tick() {}, stop() {} };
  const started = Date.now();
  let bar: SingleBar | undefined;
  let done = 0, shrinks = 0;
  return {
    tick(phase) {
      if (phase === "run") done++;
      else shrinks++;
      if (!bar && Date.now() - started > 1000) {
        bar = new SingleBar({ stream: process.stderr, format: "check {bar} {value}/{total} cases {phase}", hideCursor: true, clearOnComplete: true });
        bar.start(runs, done, { phase: "" });
      }
      bar?.update(Math.min(done, runs), { phase: shrinks ? `(shrinking: ${shrinks} steps)` : "" });
    },
    stop() {
      bar?.stop();
    },
  };
}
