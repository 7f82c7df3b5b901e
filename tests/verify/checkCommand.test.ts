/** `gradstream check` end to end: exit status, table, counterexample, JSON, and refusal of bad input. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/runCli.ts";
import { parseBatchSizes } from "../../src/cli/check.ts";

describe("parseBatchSizes", () => {
  it("reads a size, a list and a range", () => {
    expect(parseBatchSizes("8")).toEqual([8]);
    expect(parseBatchSizes("1,2,8")).toEqual([1, 2, 8]);
    expect(parseBatchSizes("1..64")).toEqual({ min: 1, max: 64 });
  });
  it("refuses zero, reversed ranges and words", () => {
    for (const bad of ["0", "0..4", "5..2", "1,x", "", "1..", "-3"]) expect(() => parseBatchSizes(bad), bad).toThrow(/--m/);
  });
});

describe.concurrent("gradstream check", () => {
  it("passes on a shipped graph: exit 0, one row per param, PASS", async () => {
    const r = await runCli(["check", "graphs/planar-tanh.yaml", "--m", "1..8", "--runs", "5", "--seed", "3"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("planar-tanh: batch gradient vs per-sample gradients, m in 1..8, 5 runs (fast-check seed 3)");
    for (const p of ["W1", "b1", "W2", "b2"]) expect(r.stdout).toMatch(new RegExp(`^  ${p} +\\S`, "m"));
    expect(r.stdout).toContain("PASS: every comparison holds");
  });

  it("--json: every param with every comparison's largest difference and the ratio", async () => {
    const r = await runCli(["check", "graphs/logistic-regression.yaml", "--m", "2,5", "--runs", "4", "--seed", "1", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ graph: "logistic-regression", pass: true, runs: 4, seed: 1 });
    for (const p of ["w", "b"]) {
      expect(Object.keys(out.params[p]).sort()).toEqual(["duplication", "fd", "perSample", "permutation", "slicing", "split", "sumCost", "vectorised"]);
      expect(out.params[p].slicing.ratio).toBeCloseTo(1, 12);
      expect(out.params[p].slicing.failed).toBe(0);
      expect(out.fdEntries[p].compared).toBeGreaterThan(0);
    }
  });

  it("fails on the shipped coupled graph: exit 1, counterexample m = 2, the coupling node named", async () => {
    const r = await runCli(["check", "graphs/coupled-batchnorm.yaml", "--runs", "10", "--seed", "4"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("samples coupled at node C (center_batch)");
    expect(r.stdout).toMatch(/counterexample \(shrunk\): m = 2, data seed \d+/);
    expect(r.stdout).toContain("slicing (W1,");
    expect(r.stdout).toContain("node 'C' (center_batch) couples samples");
    expect(r.stdout).toContain("replay: gradstream check graphs/coupled-batchnorm.yaml --m 1..16 --runs 10 --seed 4");
    expect(r.stderr).toMatch(/^graphs\/coupled-batchnorm.yaml: check failed: at m = 2, seed \d+, param W1: node 'C'/);
  });

  it("--json on a failure: the counterexample with m, seed, param and diagnosis", async () => {
    const r = await runCli(["check", "graphs/coupled-batchnorm.yaml", "--runs", "10", "--seed", "4", "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.pass).toBe(false);
    expect(out.counterexample.m).toBe(2);
    expect(out.counterexample.failures[0]).toMatchObject({ comparison: "slicing", param: "W1", diagnosis: expect.stringContaining("node 'C' (center_batch) couples samples") });
    expect(out.fastCheckReport).toContain("Counterexample: [2,");
  });

  it("checks a data file at its own m", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradstream-check-"));
    const file = join(dir, "data.json");
    writeFileSync(file, JSON.stringify({ inputs: { X: [[0.1, -1, 2], [1, 0.5, -0.3], [0.2, 0.2, 1], [-1, 1, 0]], Y: [[0, 1, 1]] }, params: { w: [[0.5, -0.2, 0.1, 1]] } }));
    const r = await runCli(["check", "graphs/logistic-regression.yaml", "--data", file, "--runs", "3", "--seed", "2", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pass: true, batch: `m = 3 (${file})` });
  });

  it("exit 2 on bad input, with a message", async () => {
    const cases: [string[], RegExp][] = [
      [["check", "graphs/planar-tanh.yaml", "--m", "0..4"], /--m takes batch sizes from 1/],
      [["check", "graphs/planar-tanh.yaml", "--m", "9..3"], /first bound must not exceed/],
      [["check", "graphs/planar-tanh.yaml", "--runs", "0"], /--runs must be an integer/],
      [["check", "graphs/no-such-graph.yaml"], /no such file/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i];
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
    });
  });

  it("exit 2 when --m is given with --data (the data fixes m)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradstream-check-"));
    const file = join(dir, "data.json");
    writeFileSync(file, JSON.stringify({ inputs: { X: [[0.1], [1], [0.2], [-1]], Y: [[0]] } }));
    const r = await runCli(["check", "graphs/logistic-regression.yaml", "--data", file, "--m", "4"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--m cannot be used with --data: the data file fixes m = 1");
  });
});
