// The package entry for plain Node.js: the library is TypeScript source (there is no build step), so this
// file loads it through tsx and re-exports it. TypeScript tools read src/index.ts directly ("types").
// tests/library/entry.test.ts checks that this list matches src/index.ts.
import { tsImport } from "tsx/esm/api";

const lib = await tsImport("../src/index.ts", import.meta.url);

export const {
  GradstreamError,
  formatIssue,
  tensor,
  zeros,
  fromNested,
  toRows,
  norm,
  parseGraph,
  loadGraph,
  forward,
  backward,
  explainGraph,
  graphJsonSchema,
  getOp,
  allOps,
  opNames,
  registerOp,
  loadData,
  bindData,
  randomBindings,
  initParams,
  createRuntime,
  perSampleGradsBySlicing,
  perSampleGradsVectorised,
  gradientCheck,
  checkScaling,
  checkScalingProperty,
  sampleStructure,
  sgd,
  momentum,
  adam,
  createOptimizer,
  trainStream,
  batches$,
  generateDataset,
  DATASET_NAMES,
  loadCsv,
  csvToLabelledSet,
} = lib;
