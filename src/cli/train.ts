/**
 * `gradstream train <graph>`: trains a graph's params on a data file, a CSV or a generated dataset, with
 * sgd, momentum or adam, full-batch or in shuffled mini-batches; prints the cost every `--print-every`
 * iterations (as the course does), then the final cost and accuracy (RMSE for `mse`); writes the trained
 * params as a data file (`--out`) and an SVG of the loss curve and decision boundary (`--plot`).
 *
 * @example
 * gradstream train graphs/planar-tanh.yaml --data data/planar_flower.json --lr 1.2 --iterations 10000
 * gradstream train graphs/planar-tanh.yaml --dataset moons --optimizer adam --epochs 200 --batch-size 64 --plot moons.svg
 * gradstream train graphs/masked-items.yaml --data data/masked-items.json --accumulate 3 --workers 2
 */
import { writeFile } from "node:fs/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import { map } from "rxjs";
import { GradstreamError, formatIssue } from "../errors.ts";
import { absentClasses } from "../train/absentClasses.ts";
import { loadGraphAndWarn } from "./loadGraphAndWarn.ts";
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { createRuntime } from "../runtime/createRuntime.ts";
import { DATASET_NAMES } from "../datasets/generateDataset.ts";
import { loadTrainingData } from "../node/loadTrainingData.ts";
import type { LabelledSet } from "../datasets/labelledSet.ts";
import { trainingRoles } from "../train/trainingRoles.ts";
import { OPTIMIZER_NAMES, type OptimizerName, createOptimizer } from "../train/createOptimizer.ts";
import { batches$, batchesPerEpoch, batchSequence } from "../train/batches.ts";
import { trainStreamAsync } from "../train/trainStreamAsync.ts";
import { trainStream, type TrainStep } from "../train/trainStream.ts";
import { fitReport, type FitReport } from "../train/fitReport.ts";
import { decisionGrid } from "../train/decisionGrid.ts";
import { targetClasses } from "../train/predictClasses.ts";
import { trainingPlotSvg } from "../train/trainingPlotSvg.ts";
import { dataFileJson } from "../train/dataFileJson.ts";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { budgetCheck, trainPlan } from "./memoryPlans.ts";
import { trainProgress } from "./trainProgress.ts";
import { display, printableJson } from "./format.ts";

interface TrainOptions {
  data?: string;
  dataset?: string;
  label?: string;
  m: number;
  noise?: number;
  optimizer: OptimizerName;
  lr?: number;
  beta?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  iterations?: number;
  epochs?: number;
  batchSize?: number;
  seed: number;
  printEvery: number;
  out?: string;
  plot?: string;
  json?: boolean;
  accumulate?: number;
  workers?: number;
  maxMemory: number;
}

const DEFAULT_ITERATIONS = 1000;

export function trainCommand(): Command {
  return new Command("train")
    .description("train the graph's params: sgd, momentum or adam, full-batch or mini-batch; prints the cost as it goes and the final accuracy")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .addOption(new Option("--data <file>", "training data: a data file (JSON: inputs, and params to start from) or a CSV (header row, features and a label column)").conflicts("dataset"))
    .addOption(new Option("--dataset <name>", `a generated 2-D dataset: ${DATASET_NAMES.join(", ")}`))
    .option("--label <column>", "CSV: the name of the label column (default: the last column)")
    .option("--m <n>", "--dataset: the number of samples to generate", positiveInt("--m"), 400)
    .option("--noise <x>", "--dataset: the standard deviation of the noise (each dataset has its own default)", nonNegativeNumber("--noise"))
    .addOption(new Option("--optimizer <name>", "the update rule").choices(OPTIMIZER_NAMES).default("sgd"))
    .option("--lr <x>", "learning rate (default: sgd 0.1, momentum 0.1, adam 0.01)", positiveNumber("--lr"))
    .option("--beta <x>", "momentum: weight of the past velocity (default 0.9)", fraction("--beta"))
    .option("--beta1 <x>", "adam: decay of the first moment (default 0.9)", fraction("--beta1"))
    .option("--beta2 <x>", "adam: decay of the second moment (default 0.999)", fraction("--beta2"))
    .option("--epsilon <x>", "adam: added to the root of the second moment (default 1e-8)", positiveNumber("--epsilon"))
    .addOption(new Option("--iterations <n>", `the number of updates (default ${DEFAULT_ITERATIONS})`).argParser(positiveInt("--iterations", 100_000_000)).conflicts("epochs"))
    .addOption(new Option("--epochs <n>", "the number of passes over the data").argParser(positiveInt("--epochs", 100_000_000)))
    .option("--batch-size <n>", "samples per update, shuffled every epoch (default: all of them, full-batch)", positiveInt("--batch-size", 1 << 26))
    .option("--accumulate <k>", "gradient accumulation: each update combines k micro-batches of the batch (fewer if it has fewer samples), weighted by the items each holds; the same params and costs as without it", positiveInt("--accumulate", 1 << 20))
    .option("--workers <n>", "data parallelism: each batch is split across n worker threads, their gradients combined (weighted by items) before one optimizer step; the same params and costs as without it", positiveInt("--workers", 64))
    .option("--seed <n>", "seed for params absent from the data, the generated dataset and the shuffles", nonNegativeInt("--seed"), 1)
    .option("--print-every <n>", "print the cost every n iterations", positiveInt("--print-every", 100_000_000), 1000)
    .option("--out <file>", "write the trained params, with the inputs, as a data file (JSON) that run, grad, check, render and serve load")
    .option("--plot <file>", "write an SVG of the loss curve (and, for 2-D inputs, the decision boundary)")
    .option("--json", "print a machine-readable summary instead of the text report")
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: TrainOptions) => {
      await train(graphPath, opts);
    });
}

async function train(graphPath: string, opts: TrainOptions): Promise<void> {
  if ((opts.data === undefined) === (opts.dataset === undefined)) throw new GradstreamError("USAGE", "train needs the data to train on: --data <file> (JSON or CSV) or --dataset <name>");
  const graph = await loadGraphAndWarn(graphPath);
  const stepsFor = (m: number) => opts.iterations ?? (opts.epochs !== undefined ? opts.epochs * batchesPerEpoch(m, opts.batchSize) : DEFAULT_ITERATIONS);
  const plan = (m: number) => trainPlan(graph, m, { optimizer: opts.optimizer, steps: stepsFor(m), batchSize: opts.batchSize, out: opts.out, csv: opts.data?.toLowerCase().endsWith(".csv"), workers: opts.workers });
  const checkBatchSize = budgetCheck(graph, "train", opts.maxMemory, plan, opts.data);
  const { inputs, params, set, origin } = await loadTrainingData(graph, { ...opts, checkBatchSize });
  const absent = absentClasses(graph, inputs, opts.data ?? graph.source, set?.classNames);
  if (absent) console.error(formatIssue(absent));
  const batchIds = graph.inputs.filter((d) => d.shape[1] === "m").map((d) => d.id);
  const m = batchIds.length ? inputs[batchIds[0]].shape[1] : 1;
  const perEpoch = batchesPerEpoch(m, opts.batchSize);
  const steps = stepsFor(m);
  const optimizer = createOptimizer(opts.optimizer, opts);
  const accumulate = opts.accumulate ?? 1;
  // With workers the runtimes live in the worker threads; without, one runtime here.
  const pool = opts.workers ? (await import("../node/workerPool.ts")).createWorkerPool(graph, opts.workers, { accumulate, training: true }) : undefined;
  const runtime = pool ? undefined : createRuntime(graph, { inputs, params, seed: opts.seed, maxMemory: opts.maxMemory });
  const batching = (perEpoch === 1 ? "full batch" : `mini-batches of ${opts.batchSize} (${perEpoch} per epoch)`) + (accumulate > 1 ? `, each update accumulated over ${accumulate} micro-batches` : "") + (pool ? `, split across ${pool.size} worker${pool.size === 1 ? "" : "s"}` : "");
  const hyper = Object.entries(optimizer.hyper).map(([k, v]) => `${k} ${v}`).join(", ");
  const progress = trainProgress(steps);
  const say = (line: string) => void (opts.json ? undefined : progress.log(line));
  if (!opts.json) console.log(`${display(graph.name)}: ${optimizer.name} (${hyper}), ${steps} iterations, ${batching}, m = ${m} (${display(origin)})`);

  const losses = new Float64Array(steps);
  const printed: { iteration: number; cost: number }[] = [];
  const costName = perEpoch === 1 ? "Cost" : "Batch cost";
  const started = performance.now();
  let last: TrainStep | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const plan = { batchIds, steps, batchSize: opts.batchSize, seed: opts.seed };
      const steps$ = pool
        ? trainStreamAsync((batch, at) => pool.gradient(batch, at), optimizer, batchSequence(inputs, plan), optimizer.init(params))
        : trainStream(runtime!, optimizer, batches$(inputs, { ...plan, yieldEveryMs: 100 }), optimizer.init(params), { accumulate });
      steps$
        .pipe(
          map((s) => {
            if (!Number.isFinite(s.loss)) throw new GradstreamError("COMPUTE", { file: graph.source, node: graph.loss, message: `the cost became ${s.loss} at iteration ${s.step}: training diverged (try a smaller --lr)` });
            for (const [id, p] of Object.entries(s.state.params)) {
              if (!p.data.every(Number.isFinite)) throw new GradstreamError("COMPUTE", { file: graph.source, node: id, message: `'${id}' became non-finite at iteration ${s.step}: training diverged (try a smaller --lr)` });
            }
            return s;
          }),
        )
        .subscribe({
          next: (s) => {
            losses[s.step] = s.loss;
            last = s;
            if (s.step % opts.printEvery === 0) {
              printed.push({ iteration: s.step, cost: s.loss });
              say(`${costName} after iteration ${s.step}: ${s.loss}`);
            }
            progress.update(s.step + 1, s.loss);
          },
          error: reject,
          complete: resolve,
        });
    });
  } finally {
    progress.stop();
    runtime?.dispose();
    await pool?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const trained = last!.state.params;
  const fit = fitReport(graph, new Map([...Object.entries(inputs), ...Object.entries(trained)]));

  if (opts.out) await writeOutput(opts.out, JSON.stringify(dataFileJson(inputs, trained)) + "\n");
  if (opts.plot) await writeOutput(opts.plot, plotFor(graph, optimizer.name, hyper, origin, losses, fit, trained, inputs, set, batching));

  if (opts.json) {
    console.log(printableJson({ graph: graph.name, optimizer: optimizer.name, hyper: optimizer.hyper, iterations: steps, m, batchSize: opts.batchSize ?? m, accumulate, workers: opts.workers ?? 0, costs: printed, final: { cost: fit.cost, [fit.metric.name]: fit.metric.value }, seconds }));
    return;
  }
  console.log(`Final cost (all ${m} samples, after ${steps} iterations): ${fit.cost}`);
  console.log(fit.metric.name === "accuracy" ? `Accuracy: ${(fit.metric.value * 100).toFixed(2)}%` : `RMSE: ${fit.metric.value.toPrecision(6)}`);
  console.log(`Time: ${seconds.toFixed(2)} s (${Math.round(steps / seconds)} iterations/s)`);
  if (opts.out) console.log(`Trained params written to ${display(opts.out)}`);
  if (opts.plot) console.log(`Plot written to ${display(opts.plot)}`);
}

function plotFor(graph: Graph, optimizer: string, hyper: string, origin: string, losses: Float64Array, fit: FitReport, trained: Readonly<Record<string, Tensor>>, inputs: Record<string, Tensor>, set: LabelledSet | undefined, batching: string): string {
  const roles = trainingRoles(graph);
  const metric = fit.metric.name === "accuracy" ? `accuracy ${(fit.metric.value * 100).toFixed(2)}%` : `RMSE ${fit.metric.value.toPrecision(4)}`;
  const X = roles.features ? inputs[roles.features] : undefined;
  const grid = X ? decisionGrid(graph, trained, X) : undefined;
  const truth = targetClasses(inputs[roles.target]);
  let classes = 2;
  for (const k of [...(grid?.classes ?? []), ...truth]) classes = Math.max(classes, k + 1);
  return trainingPlotSvg({
    title: `${graph.name} · ${optimizer} (${hyper}) · ${losses.length} iterations`,
    subtitle: `${origin} · ${batching} · final cost ${fit.cost.toPrecision(6)} · ${metric}`,
    losses,
    yTitle: batching === "full batch" ? "cost J" : "cost J (mini-batch)",
    boundary: grid && X ? { grid, X, truth, classNames: set?.classNames ?? Array.from({ length: classes }, (_, k) => `class ${k}`) } : undefined,
  });
}

async function writeOutput(path: string, content: string): Promise<void> {
  try {
    await writeFile(path, content);
  } catch (e) {
    throw new GradstreamError("IO", { file: path, message: `cannot write: ${(e as Error).message}` });
  }
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got '${value}'`);
    return n;
  };
}

function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got '${value}'`);
    return n;
  };
}

function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !(n >= 0 && n < 1)) throw new InvalidArgumentError(`${name} must be a number in [0, 1), got '${value}'`);
    return n;
  };
}
