/**
 * `gradstream split`, as built (runCli) for exit statuses and messages, and in process (runMain) for the
 * rest. The reference for its numbers is not its own code: the batch gradient and every micro-batch's
 * gradient are also computed by `gradstream grad --json` on data files holding those columns, and the
 * rules' relative differences recomputed from them.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runCli } from "../helpers/runCli.ts";
import { runMain } from "../helpers/runMain.ts";

const masked = join(REPO, "graphs/masked-items.yaml");
const maskedData = join(REPO, "data/masked-items.json");
const planar = join(REPO, "graphs/planar-tanh.yaml");
const dir = mkdtempSync(join(tmpdir(), "gs-split-"));

describe("gradstream split on the shipped masked graph (the issue's 'done when')", () => {
  it("--parts 2 passes with the weighted rule: exit 0, parts of 3 and 13 items", async () => {
    const { code, stdout } = await runCli(["split", masked, "--data", maskedData, "--parts", "2"]);
    expect(code).toBe(0);
    expect(stdout).toContain("cost: J = weighted_mean(L, M), a mean over the 16 items (ΣM), not over the 32 samples");
    expect(stdout).toMatch(/^ {2}1 +0\.\.15 +3 +\S+$/m);
    expect(stdout).toMatch(/^ {2}2 +16\.\.31 +13 +\S+$/m);
    expect(stdout).toMatch(/^ {2}weighted +Σₖ \(Wₖ\/W\)·gₖ +weights 3\/16, 13\/16 /m);
    expect(stdout).toMatch(/^PASS: the weighted rule reproduces the batch gradient \(largest relative difference \d\.\de-1[5-7] ≤ 1e-10\)\.$/m);
  });

  it("--combine mean fails: exit 1, with the diagnosis naming the part and its items", async () => {
    const { code, stdout, stderr } = await runCli(["split", masked, "--data", maskedData, "--parts", "2", "--combine", "mean"]);
    expect(code).toBe(1);
    const diagnosis = "mean of micro-batch means: part 1 holds 3 of 16 items but weighs 1/2; weight each part by its items, 3/16 (--combine weighted)";
    expect(stdout).toContain(`FAIL: ${diagnosis}`);
    expect(stderr.trim()).toBe(`${masked}: split failed: --combine mean: ${diagnosis}`);
  });

  it("--json: the rules' differences agree with gradients computed by `grad` on the batch and on each part's columns", async () => {
    const { code, stdout } = await runCli(["split", masked, "--data", maskedData, "--sizes", "12,20", "--combine", "mean", "--json"]);
    expect(code).toBe(1);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ graph: "masked-items", m: 32, items: 16, unit: "items", combine: "mean", fitting: "weighted", pass: false });
    expect(r.parts.map((p: { start: number; count: number; items: number }) => [p.start, p.count, p.items])).toEqual([[0, 12, 3], [12, 20, 13]]);

    const data = JSON.parse(readFileSync(maskedData, "utf8"));
    const gradOf = async (columns: number[]) => {
      const file = join(dir, `part-${columns[0]}-${columns.length}.json`);
      const inputs = Object.fromEntries(Object.entries(data.inputs as Record<string, number[][]>).map(([id, rows]) => [id, rows.map((row) => columns.map((j) => row[j]))]));
      writeFileSync(file, JSON.stringify({ inputs }));
      const out = await runMain(["grad", masked, "--data", file, "--json"]);
      expect(out.code).toBe(0);
      const json = JSON.parse(out.stdout);
      return { loss: json.loss as number, grads: json.grads as Record<string, { data: number[][] }> };
    };
    const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
    const [batch, p1, p2] = await Promise.all([gradOf(range(0, 32)), gradOf(range(0, 12)), gradOf(range(12, 20))]);
    const flat = (g: { data: number[][] }) => g.data.flat();
    const relDiff = (a: number[], b: number[]) => Math.hypot(...a.map((x, i) => x - b[i])) / (Math.hypot(...a) + Math.hypot(...b));
    for (const [rule, w] of [["weighted", [3 / 16, 13 / 16]], ["mean", [1 / 2, 1 / 2]], ["sum", [1, 1]]] as const) {
      const result = r.rules[rule];
      expect(result.weights).toEqual(w);
      expect(result.loss).toBeCloseTo(w[0] * p1.loss + w[1] * p2.loss, 14);
      for (const p of result.params) {
        const combined = flat(p1.grads[p.param]).map((x, i) => w[0] * x + w[1] * flat(p2.grads[p.param])[i]);
        const expected = relDiff(combined, flat(batch.grads[p.param]));
        if (rule === "weighted") expect(expected).toBeLessThan(1e-14);
        else expect(p.relativeDifference).toBeCloseTo(expected, 12);
      }
    }
    expect(r.rules.weighted.loss).toBeCloseTo(batch.loss, 14);
  });

  it("a micro-batch of padding alone has no items: it is not evaluated, the weighted rule still holds, the mean rule counts it", async () => {
    const ok = await runMain(["split", masked, "--data", maskedData, "--sizes", "1,7,24"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ {2}2 +1\.\.7 +0 +— \(no items\)$/m);
    const mean = await runMain(["split", masked, "--data", maskedData, "--sizes", "1,7,24", "--combine", "mean"]);
    expect(mean.code).toBe(1);
    expect(mean.stdout).toContain("FAIL: mean of micro-batch means: part 3 holds 15 of 16 items but weighs 1/3; weight each part by its items, 15/16 (--combine weighted)");
  });
});

describe("gradstream split on other costs", () => {
  it("a mean over the samples: the mean rule holds on an even split and fails on an uneven one", async () => {
    expect((await runMain(["split", planar, "--m", "12", "--parts", "3", "--combine", "mean"])).code).toBe(0);
    const uneven = await runMain(["split", planar, "--m", "12", "--sizes", "2,10", "--combine", "mean"]);
    expect(uneven.code).toBe(1);
    expect(uneven.stdout).toContain("FAIL: mean of micro-batch means: part 1 holds 2 of 12 samples but weighs 1/2; weight each part by its samples, 2/12 (--combine weighted)");
  });

  it("a sum over the samples: the default rule is sum, and the weighted rule fails", async () => {
    const file = join(dir, "planar-sum.yaml");
    writeFileSync(file, readFileSync(planar, "utf8").replace("op: mean", "op: sum"));
    const sum = await runMain(["split", file, "--m", "10", "--sizes", "3,7"]);
    expect(sum.code).toBe(0);
    expect(sum.stdout).toContain("--combine sum (the rule for this cost is sum: J = sum(L) adds up the samples' losses: each part's gradient is already a sum over its samples, so the parts add up)");
    const weighted = await runMain(["split", file, "--m", "10", "--sizes", "3,7", "--combine", "weighted"]);
    expect(weighted.code).toBe(1);
    expect(weighted.stdout).toContain("FAIL: weighted mean of micro-batch sums: part 1 holds 3 of 10 samples but weighs 3/10; a sum cost's parts add up: weight each by 1 (--combine sum)");
  });

  it("a graph that couples samples: no rule holds, and the diagnosis names the node", async () => {
    const { code, stdout } = await runMain(["split", join(REPO, "graphs/coupled-batchnorm.yaml"), "--parts", "2"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL: node 'C' \(center_batch\) couples samples: .*no combination reproduces it$/m);
  });
});

describe("gradstream split: bad input is exit 2 with a message", () => {
  it.each([
    [["--data", maskedData, "--sizes", "10,10"], "--sizes 10,10 add up to 20, but the batch has m = 32 samples"],
    [["--data", maskedData, "--parts", "33"], "--parts 33: the batch has only m = 32 samples, so at most 32 parts"],
    [["--data", maskedData], "split needs how to cut the batch: --parts K (K nearly equal parts) or --sizes a,b,… (sizes adding up to m)"],
    [["--data", maskedData, "--parts", "2", "--sizes", "16,16"], "option '--parts <k>' cannot be used with option '--sizes <list>'"],
    [["--data", maskedData, "--m", "8", "--parts", "2"], "option '--data <file>' cannot be used with option '--m <n>'"],
    [["--data", maskedData, "--sizes", "0,32"], "--sizes takes positive whole numbers separated by commas (3,13), got '0,32'"],
    [["--data", maskedData, "--parts", "2", "--combine", "average"], "argument 'average' is invalid. Allowed choices are weighted, mean, sum."],
  ])("%j", async (args, message) => {
    const { code, stderr } = await runCli(["split", masked, ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
