/**
 * One data-parallel worker (a `worker_threads` thread started by `workerPool.ts`): its own reactive runtime
 * of the graph it was started with. It answers two requests, one at a time:
 * - `gradient`: the cost, the params' gradients and the items of its shard of a batch, at the params sent
 *   (the shard's inputs come only when they change: a full batch sends them once);
 * - `check`: one case of the scaling check (`checkScaling`) on random data of batch size m and seed, or on
 *   the data it was started with.
 * Errors go back as data (a GradstreamError's code and issues), never as a crash.
 */
import { parentPort, workerData } from "node:worker_threads";
import { GradstreamError } from "../errors.ts";
import type { Graph } from "../graph/graph.ts";
import { createRuntime, type Runtime } from "../runtime/createRuntime.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { runtimeGradient, type RuntimeGradient } from "../train/runtimeGradient.ts";
import { randomBindings } from "../data/bindData.ts";
import { checkScaling, type ScalingCheckOptions } from "../verify/checkScaling.ts";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./workerPool.ts";
import { loadNativeKernel } from "./nativeKernel.ts";

loadNativeKernel(); // as on the main thread: the same kernel, the same bits

const { graph, accumulate, data } = workerData as WorkerInit & { graph: Graph };
let runtime: Runtime | undefined;
let gradient: RuntimeGradient | undefined;
let inputs: Record<string, Tensor> = {};

function answer(request: WorkerRequest): WorkerReply {
  if (request.kind === "gradient") {
    if (request.inputs) inputs = request.inputs;
    if (!runtime) {
      runtime = createRuntime(graph, { inputs, params: request.params });
      gradient = runtimeGradient(runtime, { params: Object.keys(request.params), accumulate });
    }
    const g = gradient!.evaluate(inputs, request.params);
    return { id: request.id, kind: "gradient", loss: g.loss, grads: g.grads, items: g.items };
  }
  const values = data ?? randomBindings(graph, request.m, request.seed).values;
  const options: ScalingCheckOptions = { ...request.options, seed: request.seed };
  return { id: request.id, kind: "check", report: checkScaling(graph, values, options) };
}

parentPort!.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = answer(request);
  } catch (e) {
    reply = e instanceof GradstreamError
      ? { id: request.id, kind: "error", code: e.code, issues: [...e.issues] }
      : { id: request.id, kind: "error", message: String((e as Error)?.stack ?? e) };
  }
  parentPort!.postMessage(reply);
});
