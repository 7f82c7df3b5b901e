/**
 * gradstream's library API for the browser: the platform-neutral core (src/core.ts) and loaders that take
 * URLs and fetch them. It has the same names and signatures as the Node entry (src/index.ts), so code
 * written against one runs against the other; bundlers pick it by the package's "browser" condition.
 *
 * @example
 * import { loadGraph, createRuntime } from "gradstream";
 * const graph = await loadGraph("./graphs/planar-tanh.yaml"); // fetched
 * createRuntime(graph).value$("J").subscribe((j) => console.log(j.data[0]));
 */
export * from "./core.ts";
export { loadGraph } from "./browser/loadGraph.ts";
export { loadData } from "./browser/loadData.ts";
export { loadCsv } from "./browser/loadCsv.ts";
