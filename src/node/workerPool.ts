/**
 * Data parallelism on one machine: N `worker_threads`, each with its own runtime of the same graph. For a
 * batch, the pool cuts the samples in order into N nearly equal shards, each worker computes its shard's
 * cost and gradients, and the pool combines them — an all-reduce — by the rule that fits the cost: shard k's
 * gradient carries 1/Wₖ for its own Wₖ items, so the batch's is Σₖ (Wₖ/W)·gₖ (Σₖ gₖ for a cost summed
 * over the samples). The optimizer then steps once, in the caller, and the new params go to the workers
 * with the next batch. A shard without items (all padding) is not sent. The same pool runs independent
 * cases of the scaling check in parallel (`gradstream check --workers N`).
 *
 * Workers run built JavaScript: the worker module is resolved next to this one (dist/node/gradientWorker.js
 * for the library, dist/bin/gradientWorker.js for the command line's bundle).
 *
 * @example
 * const pool = createWorkerPool(graph, 2);
 * const { loss, grads } = await pool.gradient({ X, Y }, params); // equals the batch's own, to rounding
 * await pool.close();
 */
import { Worker } from "node:worker_threads";
import { GradstreamError, type ErrorCode, type Issue } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { sampleStructure } from "../verify/sampleStructure.ts";
import { combineParts, fittingRule, ruleWeights } from "../verify/combineRule.ts";
import { type BatchPart, cannotSplit, cutBatch } from "../train/cutBatch.ts";
import type { ScalingCheckOptions, ScalingReport } from "../verify/checkScaling.ts";
import type { BatchGradient } from "../train/runtimeGradient.ts";

/** What each worker is started with. */
export interface WorkerInit {
  graph: Graph;
  /** Micro-batches per shard (gradient accumulation inside each worker). */
  accumulate?: number;
  /** Fixed data for `check` cases (a data file), instead of random data. */
  data?: Map<string, Tensor>;
  /** The pool will compute gradients: refuse a graph whose shards do not add up to the batch. */
  training?: boolean;
}

export type WorkerRequest =
  | { id: number; kind: "gradient"; inputs?: Record<string, Tensor>; params: Record<string, Tensor> }
  | { id: number; kind: "check"; m: number; seed: number; options: Omit<ScalingCheckOptions, "seed"> };

export type WorkerReply =
  | { id: number; kind: "gradient"; loss: number; grads: Readonly<Record<string, Tensor>>; items: number }
  | { id: number; kind: "check"; report: ScalingReport }
  | { id: number; kind: "error"; code?: ErrorCode; issues?: Issue[]; message?: string };

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export interface WorkerPool {
  readonly size: number;
  /** The batch's cost, gradients and items, its samples split across the workers and combined. */
  gradient(inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>): Promise<BatchGradient>;
  /** `checkScaling` for each case (m, seed), in parallel; reports in case order. */
  checkCases(cases: readonly (readonly [m: number, seed: number])[], options: Omit<ScalingCheckOptions, "seed">, onDone?: () => void): Promise<ScalingReport[]>;
  /** Stops the workers. */
  close(): Promise<void>;
}

/** The worker module next to this one, as built JavaScript. */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith(".ts")) throw new GradstreamError("USAGE", "worker threads run the built JavaScript (dist/): run `npm run build`, and use the gradstream command or import the package from dist/");
  return new URL("./gradientWorker.js", here);
}

export function createWorkerPool(graph: Graph, size: number, init: Omit<WorkerInit, "graph"> = {}): WorkerPool {
  const structure = sampleStructure(graph);
  const rule = fittingRule(structure);
  // Training in parallel needs shards whose gradients add up to the batch's; with `training`, this is
  // checked before any worker starts.
  const unfit = cannotSplit(graph, "data-parallel training");
  if (init.training && unfit) throw unfit;
  const url = workerUrl();
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void; worker: number }>();
  let failure: Error | undefined;

  const workers = Array.from({ length: size }, (_, w) => {
    const worker = new Worker(url, { workerData: { ...init, graph } satisfies WorkerInit });
    worker.on("message", (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.kind !== "error") p.resolve(reply);
      else p.reject(reply.code ? new GradstreamError(reply.code, reply.issues ?? []) : new Error(`worker ${w + 1}: ${reply.message}`));
    });
    const fail = (e: Error) => {
      failure ??= e;
      for (const [id, p] of pending) if (p.worker === w) (pending.delete(id), p.reject(e));
    };
    worker.on("error", (e) => fail(new Error(`worker ${w + 1} failed: ${e.stack ?? e}`)));
    worker.on("exit", (code) => code !== 0 && fail(new Error(`worker ${w + 1} stopped (exit ${code})`)));
    return worker;
  });

  const ask = <K extends WorkerReply["kind"]>(w: number, request: WithoutId<WorkerRequest>): Promise<Extract<WorkerReply, { kind: K }>> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (r: WorkerReply) => void, reject, worker: w });
      workers[w].postMessage({ ...request, id });
    });
  };

  // The shards of the last batch seen, and the shard each worker holds: inputs travel only when they change.
  let shardedFrom: Readonly<Record<string, Tensor>> | undefined;
  let shards: BatchPart[] = [];
  const holds: (Record<string, Tensor> | undefined)[] = workers.map(() => undefined);

  return {
    size,
    async gradient(inputs, params) {
      if (unfit) throw unfit;
      if (inputs !== shardedFrom) (shards = cutBatch(graph, inputs, params, size)), (shardedFrom = inputs);
      const plainParams = { ...params };
      const results = await Promise.all(
        shards.map(async (shard, w) => {
          if (shard.items === 0) return undefined; // no items: no cost, and weight 0
          const send = holds[w] !== shard.inputs;
          holds[w] = shard.inputs;
          return ask<"gradient">(w, { kind: "gradient", params: plainParams, ...(send && { inputs: shard.inputs }) });
        }),
      );
      const items = shards.map((s) => s.items);
      if (results.every((r) => !r)) throw new GradstreamError("COMPUTE", { file: graph.source, node: structure.reductions[0]?.node, message: `the batch holds no items (its weights '${structure.weights}' sum to 0): no cost to average` });
      const combined = combineParts(results, ruleWeights(rule!, items));
      return { ...combined, items: items.reduce((a, b) => a + b, 0) };
    },
    async checkCases(cases, options, onDone) {
      const reports: ScalingReport[] = new Array(cases.length);
      let next = 0;
      await Promise.all(
        workers.map(async (_, w) => {
          while (next < cases.length) {
            const k = next++;
            const [m, seed] = cases[k];
            reports[k] = (await ask<"check">(w, { kind: "check", m, seed, options })).report;
            onDone?.();
          }
        }),
      );
      return reports;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
