/**
 * `npm run bench:parallel`: data-parallel training steps of `mnist-softmax` (784 → 128 → 10) at m = 1024
 * and 4096, three ways, in the same process, in interleaved rounds:
 *   main thread — one runtime here (what `train` runs without --workers);
 *   1 worker    — the same step through the worker pool with one worker (the pool's own overhead);
 *   2 workers   — the batch split across two worker threads, their gradients all-reduced by the weighted
 *                 rule, one optimizer step here (`train --workers 2`).
 * A step is the cost and gradients of the full batch and one sgd update. Prints the median ms/step of each,
 * the speed-up of 2 workers over the main thread and over 1 worker, the CPU time per step of this process
 * (all its threads: what parallelism costs in work, whatever the other processes on the machine do), the
 * machine's load before and after (it is shared: other processes take cores too), and checks that the
 * three reach the same cost.
 * Runs on the built package (dist/), as worker threads need built JavaScript: `npm run build` first.
 *
 * @example
 * npm run bench:parallel
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createRuntime, loadGraph, randomBindings, sgd, type Optimizer, type ParamState, type Tensor } from "../dist/index.js";
import { createWorkerPool, type WorkerPool } from "../dist/node/workerPool.js";
import { runtimeGradient } from "../dist/train/runtimeGradient.js";

const SIZES = [1024, 4096];
const ROUNDS = 7;
const graph = await loadGraph(fileURLToPath(new URL("../graphs/mnist-softmax.yaml", import.meta.url)));

type Step = () => Promise<number>;

/** A training loop one step at a time: returns the step function, which resolves to the step's cost. */
function trainer(gradient: (inputs: Record<string, Tensor>, params: Readonly<Record<string, Tensor>>) => Promise<{ loss: number; grads: Readonly<Record<string, Tensor>> }>, inputs: Record<string, Tensor>, optimizer: Optimizer, initial: ParamState): Step {
  let state = initial;
  return async () => {
    const { loss, grads } = await gradient(inputs, state.params);
    state = optimizer.step(state, grads);
    return loss;
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");

console.log(`bench:parallel — mnist-softmax training steps (full batch, sgd), ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), Node ${process.versions.node}`);
console.log(`load average (1, 5, 15 min) before: ${load()}`);

for (const m of SIZES) {
  const { values } = randomBindings(graph, m, 1);
  const inputs: Record<string, Tensor> = {}, params: Record<string, Tensor> = {};
  for (const [id, t] of values) (graph.kinds.get(id) === "param" ? params : inputs)[id] = t;
  const opt = sgd({ lr: 0.05 });

  const runtime = createRuntime(graph, { inputs, params });
  const local = runtimeGradient(runtime, { params: Object.keys(params) });
  const pools: WorkerPool[] = [createWorkerPool(graph, 1, { training: true }), createWorkerPool(graph, 2, { training: true })];
  const steps: Record<string, Step> = {
    "main thread": trainer(async (i, p) => local.evaluate(i, p), inputs, opt, opt.init(params)),
    "1 worker": trainer((i, p) => pools[0].gradient(i, p), inputs, opt, opt.init(params)),
    "2 workers": trainer((i, p) => pools[1].gradient(i, p), inputs, opt, opt.init(params)),
  };
  const perRound = m >= 4096 ? 3 : 8;
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  const costs: Record<string, number> = {};
  // Warm-up: JIT, the workers' first runtime and the shards' transfer.
  for (const step of Object.values(steps)) for (let i = 0; i < 2; i++) await step();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, step] of Object.entries(steps)) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let i = 0; i < perRound; i++) costs[name] = await step();
      times[name].push((performance.now() - t0) / perRound);
      const c = process.cpuUsage(c0);
      cpu[name].push((c.user + c.system) / 1000 / perRound);
    }
  }
  const ms = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)]));
  console.log(`\nm = ${m}: ${ROUNDS} rounds × ${perRound} steps each, interleaved; median ms/step (fastest–slowest round)`);
  for (const [name, t] of Object.entries(times)) console.log(`  ${name.padEnd(12)} ${ms[name].toFixed(1).padStart(7)} ms/step   (${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)})   CPU ${median(cpu[name]).toFixed(1)} ms/step`);
  console.log(`  speed-up of 2 workers: ${(ms["main thread"] / ms["2 workers"]).toFixed(2)}× over the main thread, ${(ms["1 worker"] / ms["2 workers"]).toFixed(2)}× over 1 worker`);
  const reference = costs["main thread"];
  const spread = Math.max(...Object.values(costs).map((c) => Math.abs(c - reference) / reference));
  console.log(`  the same training: after ${2 + ROUNDS * perRound} steps the costs agree to ${spread.toExponential(1)} relative (${reference.toFixed(6)})`);
  local.close();
  runtime.dispose();
  for (const pool of pools) await pool.close();
}
console.log(`\nload average after: ${load()}`);
