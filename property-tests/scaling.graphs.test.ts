/**
 * The scaling check on every graph shipped in graphs/, for m in 1..64 and random data (inputs and params
 * from `randomBindings(graph, m, seed)`): every comparison of `checkScaling` holds. A graph whose samples are
 * coupled must fail instead, with fast-check shrinking it to m = 2 and the diagnosis naming the node.
 * Large graphs get fewer runs and a sampled finite-difference check, so the file stays fast.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../src/node/loadGraph.ts";
import { randomBindings } from "../src/data/bindData.ts";
import type { Graph } from "../src/graph/graph.ts";
import { checkScaling } from "../src/verify/checkScaling.ts";
import { sampleStructure } from "../src/verify/sampleStructure.ts";

const GRAPHS = fileURLToPath(new URL("../graphs/", import.meta.url));
const files = readdirSync(GRAPHS).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

function scalingProperty(graph: Graph, maxM: number) {
  const entries = graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1], 0);
  const fdCoordinates = entries > 1000 ? 4 : undefined; // every entry of small graphs, a sample of large ones
  return fc.property(fc.integer({ min: 1, max: maxM }), fc.integer({ min: 0, max: 0x7fffffff }), (m, seed) => {
    const report = checkScaling(graph, randomBindings(graph, m, seed).values, { seed, fdCoordinates });
    if (!report.pass) throw new Error(report.failures.map((f) => `${f.comparison} ${f.param}: ${f.diagnosis}`).join("\n"));
  });
}

describe.each(files)("graphs/%s", (file) => {
  it("every scaling comparison holds for m in 1..64 (a graph that couples samples fails at m = 2, naming the node)", async () => {
    const graph = await loadGraph(GRAPHS + file);
    const entries = graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1], 0);
    const coupling = sampleStructure(graph).coupling;
    if (coupling.length === 0) {
      fc.assert(scalingProperty(graph, 64), { numRuns: entries > 10_000 ? 6 : entries > 1000 ? 10 : 25 });
      return;
    }
    const details = fc.check(scalingProperty(graph, 64), { numRuns: 25, seed: 4 });
    expect(details.failed).toBe(true);
    expect(details.counterexample![0]).toBe(2); // m = 1 cannot show a coupling: one sample is its own batch
    const message = String((details.errorInstance as Error).message);
    for (const c of coupling) expect(message).toContain(`node '${c.node}' (${c.op}) couples samples`);
  });
});
