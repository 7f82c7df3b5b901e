/**
 * The scaling check must be able to fail, and say why. Deliberately broken variants of `mean` are
 * registered for these tests only: one whose backward applies 1/m a second time, one whose backward forgets
 * it. On a copy of the planar classifier that uses them, the identity "batch gradient = mean of per-sample
 * gradients" must fail, fast-check must shrink the failure to m = 2 (at m = 1 a factor 1/m is invisible),
 * and the report must be a diagnosis, not a bare mismatch. The library's full check (what `gradstream
 * check` runs) must fail with the same diagnosis.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mean } from "../src/ops/mean.ts";
import { weightedMeanOverSamples } from "./brokenWeightedMean.ts";
import { registerOp } from "../src/ops/registry.ts";
import type { OpDef } from "../src/ops/op.ts";
import { broadcastColumn } from "../src/tensor/kernels.ts";
import { parseGraph } from "../src/graph/parseGraph.ts";
import { randomBindings } from "../src/data/bindData.ts";
import type { Graph } from "../src/graph/graph.ts";
import { checkScaling, type ComparisonName } from "../src/verify/checkScaling.ts";
import { checkScalingProperty } from "../src/verify/scalingProperty.ts";

/** `mean` with a backward of (1/m²)·G: the 1/m applied twice, as when dZ already carries 1/m and dW adds another. */
const meanTwice: OpDef = { ...mean, name: "mean_one_over_m_twice", backward: [({ inputs: [X], grad }) => broadcastColumn(grad, X.shape[1], 1 / X.shape[1] ** 2)] };
/** `mean` with a backward of G: the 1/m forgotten, as if the cost summed over the samples. */
const meanMissing: OpDef = { ...mean, name: "mean_without_one_over_m", backward: [({ inputs: [X], grad }) => broadcastColumn(grad, X.shape[1])] };

const planar = readFileSync(fileURLToPath(new URL("../graphs/planar-tanh.yaml", import.meta.url)), "utf8");
const withCost = (op: string): Graph => parseGraph(planar.replace("op: mean", `op: ${op}`), "yaml", `planar-tanh with ${op}`);

const IDENTITY: ComparisonName[] = ["slicing", "vectorised", "perSample"];
const identityProperty = (graph: Graph) =>
  fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 0x7fffffff }), (m, seed) => {
    const report = checkScaling(graph, randomBindings(graph, m, seed).values, { seed, only: IDENTITY });
    if (!report.pass) throw new Error(report.failures.map((f) => `${f.comparison} ${f.param}: ${f.diagnosis}`).join("\n"));
  });

let unregister: (() => void)[] = [];
beforeAll(() => {
  unregister = [registerOp(meanTwice), registerOp(meanMissing)];
});
afterAll(() => unregister.forEach((u) => u()));

describe("a mean whose backward applies 1/m twice", () => {
  it("breaks the identity; fast-check shrinks it to m = 2 and the report diagnoses '1/m applied twice'", () => {
    const details = fc.check(identityProperty(withCost(meanTwice.name)), { numRuns: 50 });
    expect(details.failed).toBe(true);
    expect(details.counterexample![0]).toBe(2);
    const message = (details.errorInstance as Error).message;
    expect(message).toContain("slicing W1: batch gradient = (1/m) × mean of per-sample gradients (m = 2, ratio 0.5): 1/m applied twice");
    // the vectorised per-sample gradients come from the same backward: they carry the extra 1/m too
    expect(message).toContain("perSample W1: vectorised ∇Lᵢ = (1/m) × ∇Lᵢ by slicing (m = 2, ratio 0.5): 1/m applied twice");
    expect(message).not.toContain("vectorised W1:");
    // fast-check's own report: the seed to replay and the shrunk counterexample
    const report = fc.defaultReportMessage(details)!;
    expect(report).toContain(`seed: ${details.seed}`);
    expect(report).toMatch(/Counterexample: \[2,0\]/);
  });

  it("holds at m = 1, where 1/m = 1/m² = 1: the bug needs two samples to show", () => {
    const graph = withCost(meanTwice.name);
    expect(checkScaling(graph, randomBindings(graph, 1, 5).values, { only: IDENTITY }).pass).toBe(true);
  });

  it("fails the library's full check (what `gradstream check` runs) with the diagnosis, finite differences agreeing", () => {
    const result = checkScalingProperty(withCost(meanTwice.name), { m: { min: 1, max: 16 }, runs: 20, seed: 1, fdCoordinates: 4 });
    expect(result.pass).toBe(false);
    const c = result.counterexample!;
    // duplicating even a single sample exposes the extra 1/m, so the smallest failing batch is m = 1
    expect(c.m).toBe(1);
    expect(c.report.failures.map((f) => f.diagnosis)).toContain("duplicating the batch (m → 2m) gave 1/2 × the same gradient: 1/m applied twice");
    const atTwo = checkScaling(withCost(meanTwice.name), randomBindings(withCost(meanTwice.name), 2, c.seed).values, { fdCoordinates: 4 });
    const fd = atTwo.failures.filter((f) => f.comparison === "fd");
    expect(fd.length).toBeGreaterThan(0);
    for (const f of fd) {
      expect(f.diagnosis).toMatch(/^backward = \(1\/m\) × finite differences of the forward \(m = 2, ratio [\d.]+\): 1\/m applied twice in the backward$/);
      expect(f.ratio).toBeCloseTo(0.5, 4);
    }
    expect(result.fastCheckReport).toContain(`seed: ${result.seed}`);
  });
});

describe("a mean whose backward forgets the 1/m", () => {
  it("breaks the identity at m = 2 with the diagnosis '1/m missing: the cost sums over samples'", () => {
    const details = fc.check(identityProperty(withCost(meanMissing.name)), { numRuns: 50 });
    expect(details.failed).toBe(true);
    expect(details.counterexample![0]).toBe(2);
    expect((details.errorInstance as Error).message).toContain("slicing W1: batch gradient = m × mean of per-sample gradients (m = 2, ratio 2): 1/m missing: the cost sums over samples");
  });
});

describe("the unbroken mean", () => {
  it("passes the same property (so the failures above are the variants', not the check's)", () => {
    fc.assert(identityProperty(withCost("mean")), { numRuns: 50 });
  });
});

describe("a weighted mean whose backward divides by the samples, not by the items", () => {
  /** weighted_mean with dJ/dLᵢ = G·wᵢ/m: the masked-loss bug of dividing by the batch size instead of the item count. */
  const overSamples = weightedMeanOverSamples("weighted_mean_divided_by_m");
  let remove: () => void = () => {};
  beforeAll(() => void (remove = registerOp(overSamples)));
  afterAll(() => remove());
  const masked = readFileSync(fileURLToPath(new URL("../graphs/masked-items.yaml", import.meta.url)), "utf8");

  it("breaks the identity; the diagnosis reads the ratio ΣM/m", () => {
    const graph = parseGraph(masked.replace("op: weighted_mean", `op: ${overSamples.name}`), "yaml", "masked-items divided by m");
    const details = fc.check(identityProperty(graph), { numRuns: 50, seed: 2 });
    expect(details.failed).toBe(true);
    expect((details.errorInstance as Error).message).toMatch(/^slicing W1: batch gradient = \(ΣM\/m\) × the M-weighted mean of per-sample gradients \(m = \d+, ΣM = \d+, ratio [\d.]+\): the cost's backward divides by the m samples, not by the ΣM items$/m);
  });

  it("while the real weighted mean passes the same property", () => {
    fc.assert(identityProperty(parseGraph(masked, "yaml", "masked-items")), { numRuns: 50 });
  });
});
