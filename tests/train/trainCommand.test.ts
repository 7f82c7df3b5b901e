/**
 * `gradstream train` end to end, in process (runMain): the README's planar command reproduces the course's
 * first costs; --out writes a data file that `run` loads and that gives the final cost printed; --plot
 * writes a well-formed SVG; --epochs counts batches per epoch; CSV and dataset errors are usage errors
 * (exit 2) naming the file and the line; a diverging run stops with exit 1.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runMain } from "../helpers/runMain.ts";
import { xmlProblems } from "./xmlProblems.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const planar = path.join(repoRoot, "graphs/planar-tanh.yaml");
const regression = path.join(repoRoot, "graphs/regression-mse.yaml");
const dir = mkdtempSync(path.join(tmpdir(), "gs-train-"));

describe("gradstream train", () => {
  it("the README's planar command: the course's costs at iterations 0 and 1000", async () => {
    const { code, stdout } = await runMain(["train", planar, "--data", path.join(repoRoot, "data/planar_flower.json"), "--lr", "1.2", "--iterations", "1001"]);
    expect(code).toBe(0);
    const costs = [...stdout.matchAll(/^Cost after iteration (\d+): (\S+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(costs.map(([i]) => i)).toEqual([0, 1000]);
    // The reference numpy run (tests/fixtures/planar-reference, provenance in tests/fixtures/README.md).
    const reference = JSON.parse(readFileSync(path.join(repoRoot, "tests/fixtures/planar-reference/costs.json"), "utf8")) as { costs: { iteration: number; cost: number }[] };
    for (const [i, cost] of costs) {
      const ref = reference.costs.find((c) => c.iteration === i)!.cost;
      expect(Math.abs(cost - ref) / ref).toBeLessThan(1e-9);
    }
    expect(stdout).toMatch(/^planar-tanh: sgd \(lr 1\.2\), 1001 iterations, full batch, m = 400/m);
    expect(stdout).toMatch(/^Accuracy: \d+\.\d\d%$/m);
  });

  it("--out writes a data file that `run` loads; --plot an SVG with the curve and the boundary", async () => {
    const out = path.join(dir, "xor-params.json");
    const plot = path.join(dir, "xor.svg");
    const trained = await runMain(["train", planar, "--dataset", "xor", "--m", "120", "--optimizer", "adam", "--lr", "0.05", "--iterations", "150", "--out", out, "--plot", plot, "--json"]);
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout);
    expect(summary).toMatchObject({ graph: "planar-tanh", optimizer: "adam", iterations: 150, m: 120, batchSize: 120 });
    expect(summary.costs.map((c: { iteration: number }) => c.iteration)).toEqual([0]);
    const data = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(data.inputs)).toEqual(["X", "Y"]);
    expect(Object.keys(data.params).sort()).toEqual(["W1", "W2", "b1", "b2"]);
    const run = await runMain(["run", planar, "--data", out, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).loss).toBe(summary.final.cost);
    const svg = readFileSync(plot, "utf8");
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('class="loss-curve"');
    expect(svg).toContain('class="decision-area"');
  });

  it("--epochs with --batch-size: ⌈m/B⌉ updates per epoch", async () => {
    const { code, stdout } = await runMain(["train", planar, "--dataset", "moons", "--m", "200", "--epochs", "3", "--batch-size", "64", "--print-every", "5", "--json"]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.iterations).toBe(12); // 4 batches per epoch (64, 64, 64, 8)
    expect(summary.costs.map((c: { iteration: number }) => c.iteration)).toEqual([0, 5, 10]);
  });

  it("a CSV regression reports RMSE, and its plot has no decision boundary", async () => {
    const csv = path.join(dir, "reg.csv");
    writeFileSync(csv, "a,b,c,target\n" + Array.from({ length: 30 }, (_, j) => `${j / 30},${(j % 5) / 5},1,${j / 15}`).join("\n") + "\n");
    const plot = path.join(dir, "reg.svg");
    const { code, stdout } = await runMain(["train", regression, "--data", csv, "--label", "target", "--optimizer", "adam", "--iterations", "50", "--plot", plot]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^RMSE: \S+$/m);
    expect(readFileSync(plot, "utf8")).not.toContain("decision-area");
  });

  it("usage errors exit 2 with a message naming the file and the place", async () => {
    const neither = await runMain(["train", planar]);
    expect([neither.code, neither.stderr]).toEqual([2, expect.stringMatching(/--data <file> \(JSON or CSV\) or --dataset <name>/)]);
    const both = await runMain(["train", planar, "--dataset", "moons", "--data", "x.json"]);
    expect(both.code).toBe(2);
    const unknown = await runMain(["train", planar, "--dataset", "iris"]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/unknown dataset 'iris'/)]);
    const bad = path.join(dir, "bad.csv");
    writeFileSync(bad, "x1,x2,y\n1,2,0\n3,oops,1\n");
    const badCsv = await runMain(["train", planar, "--data", bad]);
    expect([badCsv.code, badCsv.stderr.trim()]).toEqual([2, `${bad}: column 'x2': "oops" is not a number (field 'x2', line 3)`]);
    const wide = path.join(dir, "wide.csv");
    writeFileSync(wide, "a,b,c,y\n1,2,3,0\n");
    const mismatch = await runMain(["train", planar, "--data", wide]);
    expect([mismatch.code, mismatch.stderr]).toEqual([2, expect.stringMatching(/has 3 features per sample, but 'X' of graph planar-tanh has 2 rows/)]);
    const lr = await runMain(["train", planar, "--dataset", "moons", "--lr", "-1"]);
    expect([lr.code, lr.stderr]).toEqual([2, expect.stringMatching(/--lr must be a positive number, got '-1'/)]);
  });

  it("a diverging run stops with exit 1 and says so", async () => {
    const csv = path.join(dir, "div.csv");
    writeFileSync(csv, "a,b,c,t\n1,2,3,4\n2,1,0,1\n0,1,1,5\n");
    const { code, stderr } = await runMain(["train", regression, "--data", csv, "--lr", "50", "--iterations", "500"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/training diverged \(try a smaller --lr\)/);
  });
});
