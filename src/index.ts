/**
 * gradstream's library API.
 *
 * @example
 * import { loadGraph, createRuntime } from "gradstream";
 * const graph = await loadGraph("graphs/planar-tanh.yaml");
 * const rt = createRuntime(graph, { inputs: { X, Y } });
 * rt.grad$("W1").subscribe((g) => console.log(g));
 */
export { GradstreamError, formatIssue, type Issue, type ErrorCode } from "./errors.ts";
export { type Tensor, type TensorLike, tensor, zeros, clone, fromNested, toRows, norm } from "./tensor/tensor.ts";
export { parseGraph, loadGraph } from "./graph/parseGraph.ts";
export type { Graph, InputDecl, ParamDecl, NodeDecl } from "./graph/graph.ts";
export { forward, backward } from "./graph/evaluate.ts";
export { explainGraph, type Explanation } from "./graph/explainGraph.ts";
export { graphJsonSchema } from "./graph/schema.ts";
export { getOp, allOps, opNames, registerOp } from "./ops/registry.ts";
export type { OpDef, Shape, Dim } from "./ops/op.ts";
export { loadData, bindData, randomBindings, type Bindings } from "./data/loadData.ts";
export { initParams } from "./data/initParams.ts";
export { createRuntime, type Runtime, type RuntimeInit, type RuntimeStats, type ObserveOptions } from "./runtime/createRuntime.ts";
export type { Snapshot } from "./runtime/snapshot.ts";

// Verification: per-sample gradients (∇Lᵢ, unscaled), finite differences, the 1/m scaling checks.
export { perSampleGradsBySlicing } from "./verify/perSampleBySlicing.ts";
export { perSampleGradsVectorised } from "./verify/perSampleVectorised.ts";
export { gradientCheck } from "./verify/gradientCheck.ts";
export { checkScaling, type ScalingReport } from "./verify/checkScaling.ts";
export { checkScalingProperty } from "./verify/scalingProperty.ts";
export { sampleStructure } from "./verify/sampleStructure.ts";

// Training: optimizers as pure immutable steps, training as a stream, datasets.
export { sgd } from "./train/sgd.ts";
export { momentum } from "./train/momentum.ts";
export { adam } from "./train/adam.ts";
export { createOptimizer, type OptimizerName } from "./train/createOptimizer.ts";
export type { Optimizer, ParamState } from "./train/optimizer.ts";
export { trainStream, type TrainStep } from "./train/trainStream.ts";
export { batches$ } from "./train/batches.ts";
export { generateDataset, DATASET_NAMES } from "./datasets/generateDataset.ts";
export { loadCsv, csvToLabelledSet } from "./datasets/loadCsv.ts";
