/**
 * The scaling identity on randomly generated networks (1–4 layers, widths 1–8, every activation, every
 * loss, params met through linear, matmul + add and a broadcast mul), for m in 1..64 and random data:
 * batch gradient = mean of per-sample gradients both ways (the item-weighted mean for a `weighted_mean`
 * cost, half of the networks of the first property), each vectorised ∇Lᵢ = ∇Lᵢ by slicing, and the
 * gradient unchanged by permuting or duplicating the batch; the cost summed over samples has exactly m ×
 * the mean's gradient; and finite differences agree (on narrower networks, where they are cheap).
 * A failure prints fast-check's seed, path and shrunk network.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomBindings } from "../src/data/bindData.ts";
import { backward, forward } from "../src/graph/evaluate.ts";
import { checkScaling } from "../src/verify/checkScaling.ts";
import { withSumCost } from "../src/verify/sumCost.ts";
import { networkArb, networkGraph } from "./randomNetwork.ts";

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
const failuresOf = (report: ReturnType<typeof checkScaling>) => report.failures.map((f) => `${f.comparison} ${f.param}: ${f.diagnosis}`).join("\n");

describe("random networks", () => {
  it("batch gradient = mean of per-sample gradients (slicing and vectorised), per-sample agreement, permutation and duplication invariance, m in 1..64", () => {
    fc.assert(
      fc.property(networkArb({ weighted: true }), fc.integer({ min: 1, max: 64 }), seedArb, (net, m, seed) => {
        const graph = networkGraph(net);
        const report = checkScaling(graph, randomBindings(graph, m, seed).values, { seed, only: ["slicing", "vectorised", "perSample", "permutation", "duplication"] });
        if (!report.pass) throw new Error(failuresOf(report));
        // every comparison ran: nothing was skipped as not applicable, except permuting a single sample
        expect(report.notApplicable.filter((n) => !(n.comparison === "permutation" && m === 1))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("batch gradient = finite differences (widths 1–4, m in 1..16)", () => {
    fc.assert(
      fc.property(networkArb({ maxWidth: 4 }), fc.integer({ min: 1, max: 16 }), seedArb, (net, m, seed) => {
        const graph = networkGraph(net);
        const report = checkScaling(graph, randomBindings(graph, m, seed).values, { seed, only: ["fd"] });
        if (!report.pass) throw new Error(failuresOf(report));
      }),
      { numRuns: 150 },
    );
  });

  it("a cost summed over the samples has m × the mean cost's gradient: bitwise when m is a power of two", () => {
    // Scaling by 1/m = 2^−j is exact in float64 and every backward is linear in its incoming gradient, so
    // the two backward passes differ by exactly the factor m; for other m only by rounding of 1/m.
    fc.assert(
      fc.property(networkArb(), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 64 }), seedArb, (net, j, other, seed) => {
        const graph = networkGraph(net);
        const summed = withSumCost(graph)!;
        for (const m of [2 ** j, other]) {
          const values = randomBindings(graph, m, seed).values;
          const meanGrads = backward(graph, forward(graph, values), graph.params.map((p) => p.id));
          const sumGrads = backward(summed, forward(summed, values), graph.params.map((p) => p.id));
          for (const p of graph.params) {
            const a = sumGrads.get(p.id)!.data, b = meanGrads.get(p.id)!.data;
            const scaled = b.map((x) => m * x);
            if (Number.isInteger(Math.log2(m))) expect(Array.from(a), `${p.id} at m = ${m}`).toEqual(Array.from(scaled));
          }
          const report = checkScaling(graph, values, { seed, only: ["sumCost"] });
          if (!report.pass) throw new Error(failuresOf(report));
        }
      }),
      { numRuns: 100 },
    );
  });
});
