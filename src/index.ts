/**
 * gradstream's library API for Node.js: the platform-neutral core (src/core.ts) and the loaders that read
 * files. A bundler targeting the browser picks src/browser.ts instead (the package's "browser" condition),
 * whose loaders take URLs and fetch them. Importing it registers the native matrix kernel where it was
 * built and loads (src/node/nativeKernel.ts; else the WebAssembly one runs, with the same results).
 *
 * @example
 * import { loadGraph, createRuntime } from "gradstream";
 * const graph = await loadGraph("graphs/planar-tanh.yaml");
 * const rt = createRuntime(graph, { inputs: { X, Y } });
 * rt.grad$("W1").subscribe((g) => console.log(g));
 */
export * from "./core.ts";
export { loadGraph } from "./node/loadGraph.ts";
export { loadData } from "./node/loadData.ts";
export { loadCsv } from "./node/loadCsv.ts";

import { loadNativeKernel } from "./node/nativeKernel.ts";
loadNativeKernel();
