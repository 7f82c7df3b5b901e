/**
 * Which tensors show their entries in their boxes, how the entries are set in lines, and how each is
 * written: at most 8 characters, three significant digits, the exponent form outside [0.001, 100000).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { entryLines, entryShapes, formatEntry, showsEntries } from "../../src/view/boxEntries.ts";
import { REPO } from "../helpers/runCli.ts";

describe("box entries", () => {
  it("shows tensors of 2 to 16 entries, at the batch size given", async () => {
    expect([showsEntries(1, 1), showsEntries(1, 2), showsEntries(4, 4), showsEntries(1, 17), showsEntries(16, 1)]).toEqual([false, true, true, false, true]);
    const planar = await loadGraph(join(REPO, "graphs/planar-tanh.yaml"));
    expect(entryShapes(planar, 5)).toEqual({ X: [2, 5], Y: [1, 5], W1: [4, 2], b1: [4, 1], W2: [1, 4], Z2: [1, 5], A2: [1, 5], L: [1, 5] });
    expect(entryShapes(planar, 400)).toEqual({ W1: [4, 2], b1: [4, 1], W2: [1, 4] });
  });

  it("sets each row on its own lines of at most five, or flows five to a line past four lines", () => {
    expect(entryLines(4, 2)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    expect(entryLines(1, 7)).toEqual([[0, 1, 2, 3, 4], [5, 6]]);
    expect(entryLines(2, 6)).toEqual([[0, 1, 2, 3, 4], [5], [6, 7, 8, 9, 10], [11]]);
    expect(entryLines(16, 1)).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15]]);
    expect(entryLines(3, 5).flat()).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it("writes each entry in at most 8 characters", () => {
    const cases: [number, string][] = [[0, "0"], [0.2, "0.2"], [1 / 7, "0.143"], [1 / 400, "0.0025"], [-0.00123456, "-0.00123"], [12345.6, "12300"], [99999, "100000"], [1.5e-5, "1.5e-5"], [-1.23e-10, "-1.2e-10"], [2.5e7, "2.5e7"], [-0.5, "-0.5"]];
    for (const [x, text] of cases) expect(formatEntry(x), String(x)).toBe(text);
    for (const x of [Math.PI * 1e-300, -Math.E * 1e300, -0.000999, 99999.9, -12345.678]) expect(formatEntry(x).length, String(x)).toBeLessThanOrEqual(8);
  });
});
