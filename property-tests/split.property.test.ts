/**
 * Where the 1/m goes when a batch is split, as properties. For every graph in graphs/ and for random
 * networks (with a mean cost or a weighted mean over items), any split of m = 1..64 samples into 1–8 parts,
 * and any weights (item counts 0–3, whole parts emptied, so some parts hold no items):
 *
 * 1. the weighted rule Σₖ (Wₖ/W)·gₖ reproduces the batch gradient (1e-10 relative, or within rounding);
 * 2. the mean rule (1/K)·Σₖ gₖ reproduces it exactly when every part holds the same number of items;
 * 3. "the mean rule reproduces it" fails on uneven splits, and fast-check shrinks the failure to the
 *    smallest uneven split, whose message is the diagnosis naming the misweighed part.
 *
 * Each property is shown able to fail: a `weighted_mean` whose backward divides by the samples, a weighted
 * reduction that does not declare its weights (so parts are weighed by samples, not items), and the sum
 * rule in the place of the mean, each refuted by fast-check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../src/node/loadGraph.ts";
import { parseGraph } from "../src/graph/parseGraph.ts";
import type { Graph } from "../src/graph/graph.ts";
import { randomBindings } from "../src/data/bindData.ts";
import { perSampleGradsBySlicing } from "../src/verify/perSampleBySlicing.ts";
import { registerOp } from "../src/ops/registry.ts";
import type { OpDef } from "../src/ops/op.ts";
import { weightedMean } from "../src/ops/weightedMean.ts";
import { weightedMeanOverSamples } from "./brokenWeightedMean.ts";
import { tensor, type Tensor } from "../src/tensor/tensor.ts";
import { sampleStructure } from "../src/verify/sampleStructure.ts";
import { type CombineRule } from "../src/verify/combineRule.ts";
import { type SplitReport, splitGradients } from "../src/verify/splitGradients.ts";
import { networkArb, networkGraph } from "./randomNetwork.ts";

const GRAPHS = fileURLToPath(new URL("../graphs/", import.meta.url));
const files = readdirSync(GRAPHS).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
/** 1–8 parts of 1–8 samples: m = their sum, 1..64. Shrinks toward fewer and smaller parts. */
const sizesArb = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 8 });
/** Item counts 0–3 per sample (0: padding), and parts emptied whole; shrinks toward no items, no emptied part. */
const weightsArb = fc.record({
  counts: fc.array(fc.constantFrom(0, 1, 2, 3), { minLength: 64, maxLength: 64 }),
  emptied: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
});
type Weights = { counts: number[]; emptied: boolean[] };

/** Random data of batch size Σ sizes; a weighted cost's weights (an input) set from `w`, keeping one item at least. */
function caseValues(graph: Graph, sizes: number[], w: Weights, seed: number, id = sampleStructure(graph).weights): Map<string, Tensor> {
  const m = sizes.reduce((a, b) => a + b, 0);
  const values = randomBindings(graph, m, seed).values;
  if (id !== undefined && graph.kinds.get(id) === "input") {
    const data = new Float64Array(m);
    let start = 0;
    sizes.forEach((count, k) => {
      for (let j = start; j < start + count; j++) data[j] = w.emptied[k] ? 0 : w.counts[j];
      start += count;
    });
    if (data.every((x) => x === 0)) data[m - 1] = 1;
    values.set(id, tensor(1, m, data));
  }
  return values;
}

/** The per-sample gradients are pairwise distinct: their projections on a fixed direction all differ. */
function inGeneralPosition(graph: Graph, values: Map<string, Tensor>): boolean {
  const projections: number[] = [];
  for (const chunk of perSampleGradsBySlicing(graph, values)) {
    for (let i = 0; i < chunk.count; i++) {
      let p = 0, k = 0;
      for (const g of chunk.grads.values()) {
        const size = g.length / chunk.count;
        for (let j = 0; j < size; j++) p += Math.sin(++k) * g[i * size + j];
      }
      projections.push(p);
    }
  }
  const sorted = projections.sort((a, b) => a - b);
  const scale = Math.max(...sorted.map(Math.abs));
  return scale > 0 && sorted.every((x, i) => i === 0 || x - sorted[i - 1] > 1e-9 * scale);
}

const itemsEqual = (r: SplitReport) => r.parts.every((p) => p.items === r.parts[0].items);
const failure = (r: SplitReport, rule: CombineRule) => new Error(`split ${r.parts.map((p) => p.count).join(",")} (items ${r.parts.map((p) => p.items).join(",")}), ${rule} rule: ${r.rules[rule].diagnosis}`);

/** 1. The rule that fits the cost (weighted; sum for a sum cost) reproduces the batch gradient. */
const weightedProperty = (graphOf: fc.Arbitrary<Graph>, weightsId?: string, weights: fc.Arbitrary<Weights> = weightsArb) =>
  fc.property(graphOf, sizesArb, weights, seedArb, (graph, sizes, w, seed) => {
    const r = splitGradients(graph, caseValues(graph, sizes, w, seed, weightsId), sizes);
    if (!r.rules[r.fitting!].pass) throw failure(r, r.fitting!);
  });

/**
 * 2. `rule` reproduces the batch gradient exactly when every part holds the same number of items — for data
 * in general position, where the per-sample gradients ∇Lᵢ are pairwise distinct. (Cases where they are not
 * are skipped: a network whose relus are all dead gives every sample one of two gradients, a softmax over
 * one row gives all of them 0, and an uneven weighting can then coincide with the even one.)
 */
const evenProperty = (graphOf: fc.Arbitrary<Graph>, rule: CombineRule = "mean") =>
  fc.property(graphOf, sizesArb, weightsArb, seedArb, (graph, sizes, w, seed) => {
    const values = caseValues(graph, sizes, w, seed);
    fc.pre(inGeneralPosition(graph, values));
    const r = splitGradients(graph, values, sizes);
    if (r.rules[rule].pass !== itemsEqual(r)) throw r.rules[rule].pass ? new Error(`the ${rule} rule holds on the uneven split ${sizes.join(",")}`) : failure(r, rule);
  });

/** 3. The claim the properties refute: the mean rule always reproduces the batch gradient. */
const meanAlwaysProperty = (graph: Graph) =>
  fc.property(sizesArb, weightsArb, seedArb, (sizes, w, seed) => {
    const r = splitGradients(graph, caseValues(graph, sizes, w, seed), sizes);
    if (!r.rules.mean.pass) throw new Error(r.rules.mean.diagnosis);
  });

const graphs = new Map<string, Graph>();
beforeAll(async () => {
  for (const file of files) graphs.set(file, await loadGraph(GRAPHS + file));
});

describe.each(files)("graphs/%s", (file) => {
  it("the weighted rule reproduces the batch gradient for every split and weights; the mean rule exactly when the parts hold equal items", () => {
    const graph = graphs.get(file)!;
    const entries = graph.params.reduce((n, p) => n + p.shape[0] * p.shape[1], 0);
    const runs = entries > 10_000 ? 6 : 40;
    const coupling = sampleStructure(graph).coupling;
    if (coupling.length === 0) {
      fc.assert(weightedProperty(fc.constant(graph)), { numRuns: runs });
      fc.assert(evenProperty(fc.constant(graph)), { numRuns: runs });
      return;
    }
    // A graph that couples samples: no rule reproduces the batch gradient; the smallest case is two parts of one sample.
    const details = fc.check(weightedProperty(fc.constant(graph)), { numRuns: runs, seed: 3 });
    expect(details.failed).toBe(true);
    expect(details.counterexample![1]).toEqual([1, 1]);
    for (const c of coupling) expect((details.errorInstance as Error).message).toContain(`node '${c.node}' (${c.op}) couples samples`);
  });
});

describe("random networks (mean or weighted-mean cost, 1–4 layers, widths 1–6)", () => {
  const networks = networkArb({ maxWidth: 6, weighted: true }).map(networkGraph);
  it("the weighted rule reproduces the batch gradient", () => {
    fc.assert(weightedProperty(networks), { numRuns: 150 });
  });
  it("the mean rule reproduces it exactly when every part holds the same number of items", () => {
    fc.assert(evenProperty(networks), { numRuns: 150 });
  });
});

describe("'the mean rule reproduces the batch gradient' fails, shrinking to the smallest uneven split", () => {
  it("planar-tanh (a mean over samples): 3 samples in parts of 2 and 1, 'part 2 holds 1 of 3 samples but weighs 1/2'", () => {
    const details = fc.check(meanAlwaysProperty(graphs.get("planar-tanh.yaml")!), { numRuns: 100, seed: 11 });
    expect(details.failed).toBe(true);
    const [sizes] = details.counterexample!;
    expect(sizes).toEqual([2, 1]);
    expect((details.errorInstance as Error).message).toBe("mean of micro-batch means: part 2 holds 1 of 3 samples but weighs 1/2; weight each part by its samples, 1/3 (--combine weighted)");
    expect(fc.defaultReportMessage(details)).toContain(`seed: ${details.seed}`);
  });

  it("masked-items (a mean over items): two samples, one holding an item and one none", () => {
    const details = fc.check(meanAlwaysProperty(graphs.get("masked-items.yaml")!), { numRuns: 100, seed: 11 });
    expect(details.failed).toBe(true);
    const [sizes, w, seed] = details.counterexample!;
    expect(sizes).toEqual([1, 1]);
    const graph = graphs.get("masked-items.yaml")!;
    const r = splitGradients(graph, caseValues(graph, sizes, w, seed), sizes);
    expect(r.parts.map((p) => p.items)).toEqual([0, 1]);
    expect((details.errorInstance as Error).message).toBe("mean of micro-batch means: part 1 holds 0 of 1 items but weighs 1/2; weight each part by its items, 0/1 (--combine weighted)");
  });
});

describe("each property can fail", () => {
  /** weighted_mean whose backward divides by the m samples, not by Σw: the classic masked-loss bug. */
  const overSamples = weightedMeanOverSamples("weighted_mean_over_samples");
  /** weighted_mean that does not declare its weights: parts are then weighed by their samples, not their items. */
  const undeclared: OpDef = { ...weightedMean, name: "weighted_mean_undeclared", weightsOperand: undefined };
  let unregister: (() => void)[] = [];
  beforeAll(() => void (unregister = [registerOp(overSamples), registerOp(undeclared)]));
  afterAll(() => unregister.forEach((u) => u()));
  const masked = readFileSync(GRAPHS + "masked-items.yaml", "utf8");
  const withCost = (op: string) => parseGraph(masked.replace("op: weighted_mean", `op: ${op}`), "yaml", `masked-items with ${op}`);

  it("1 fails for a weighted mean whose backward divides by the samples", () => {
    const details = fc.check(weightedProperty(fc.constant(withCost(overSamples.name))), { numRuns: 100, seed: 5 });
    expect(details.failed).toBe(true);
    expect((details.errorInstance as Error).message).toContain("weighted rule: the parts' gradients weighted as the cost needs still differ from the batch gradient");
  });

  it("1 fails when parts are weighed by their samples instead of their items", () => {
    // Every sample holds 1–3 items, so no part is empty (an empty part would fail too, with a 0/0).
    const noPadding = fc.record({ counts: fc.array(fc.constantFrom(1, 2, 3), { minLength: 64, maxLength: 64 }), emptied: fc.constant(Array(8).fill(false)) });
    const details = fc.check(weightedProperty(fc.constant(withCost(undeclared.name)), "M", noPadding), { numRuns: 100, seed: 5 });
    expect(details.failed).toBe(true);
    // two parts of one sample each, weighed 1/2 each (by samples) though they hold different numbers of items
    expect(details.counterexample![1]).toEqual([1, 1]);
    expect(details.counterexample![2].counts.slice(0, 2)).not.toEqual([1, 1]);
    expect((details.errorInstance as Error).message).toBe("split 1,1 (items 1,1), weighted rule: the parts' gradients weighted as the cost needs still differ from the batch gradient: the cost is not a mean of per-sample costs, or a backward disagrees with its forward");
  });

  it("2 fails for the sum rule, which is right only for a sum cost", () => {
    const details = fc.check(evenProperty(fc.constant(graphs.get("planar-tanh.yaml")!), "sum"), { numRuns: 100, seed: 5 });
    expect(details.failed).toBe(true);
    // an even split of two or more parts (shrinking one part at a time makes it uneven, so it stops there)
    const sizes: number[] = details.counterexample![1];
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sizes).size).toBe(1);
    const m = sizes.length * sizes[0];
    expect((details.errorInstance as Error).message).toBe(`split ${sizes.join(",")} (items ${sizes.join(",")}), sum rule: sum of micro-batch means: part 1 holds ${sizes[0]} of ${m} samples but weighs 1; weight each part by its samples, ${sizes[0]}/${m} (--combine weighted)`);
  });

  it("and the unbroken weighted mean passes the same properties (the failures are the variants')", () => {
    fc.assert(weightedProperty(fc.constant(withCost("weighted_mean"))), { numRuns: 100, seed: 5 });
  });
});
