/**
 * The platform-neutral part of gradstream's library: everything but reading files. It imports no `node:`
 * module, so it bundles for the browser as it is; the package entries add the loaders for their platform
 * (src/index.ts: files, for Node; src/browser.ts: URLs, for the browser).
 *
 * @example
 * import { parseGraph, createRuntime } from "gradstream";
 * const rt = createRuntime(parseGraph(yamlText, "yaml", "my-graph.yaml"));
 * rt.value$("J").subscribe((j) => console.log(j.data[0]));
 */
export { GradstreamError, formatIssue, type Issue, type ErrorCode } from "./errors.ts";
export { type Tensor, type TensorLike, tensor, zeros, clone, fromNested, toRows, norm } from "./tensor/tensor.ts";
export { parseGraph, graphFormatOf } from "./graph/parseGraph.ts";
export type { Graph, InputDecl, ParamDecl, NodeDecl } from "./graph/graph.ts";
export { forward, backward } from "./graph/evaluate.ts";
export { explainGraph, type Explanation } from "./graph/explainGraph.ts";
export { graphJsonSchema } from "./graph/schema.ts";
export { getOp, allOps, opNames, registerOp } from "./ops/registry.ts";
export type { OpDef, Shape, Dim } from "./ops/op.ts";
export { bindData, parseData, randomBindings, type Bindings } from "./data/bindData.ts";
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
// Splitting a batch: each part's gradient, and the rules that combine them (weighted by items, mean, sum).
export { splitGradients, type SplitReport } from "./verify/splitGradients.ts";
export { COMBINE_RULES, type CombineRule, ruleWeights, fittingRule, combineParts, evenSizes } from "./verify/combineRule.ts";

// Training: optimizers as pure immutable steps, training as a stream, datasets.
export { sgd } from "./train/sgd.ts";
export { momentum } from "./train/momentum.ts";
export { adam } from "./train/adam.ts";
export { createOptimizer, type OptimizerName } from "./train/createOptimizer.ts";
export type { Optimizer, ParamState } from "./train/optimizer.ts";
export { trainStream, type TrainStep, type TrainStreamOptions } from "./train/trainStream.ts";
export { trainStreamAsync, type AsyncGradient } from "./train/trainStreamAsync.ts";
export { runtimeGradient, type BatchGradient } from "./train/runtimeGradient.ts";
export { batches$, batchSequence } from "./train/batches.ts";
export { generateDataset, DATASET_NAMES } from "./datasets/generateDataset.ts";
export { csvToLabelledSet, type CsvOptions } from "./datasets/csvToLabelledSet.ts";
export type { LabelledSet } from "./datasets/labelledSet.ts";

// Views: the elkjs layout and the standalone SVG that `gradstream render` writes.
export { layoutGraph, type GraphLayout } from "./view/layoutGraph.ts";
export { renderSvg } from "./view/renderSvg.ts";
export { nodeSummaries } from "./view/nodeSummaries.ts";
