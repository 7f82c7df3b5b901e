/**
 * A `--json` output can be fed back as a data file (regression: `grad … --json > o.json; run … --data o.json`
 * failed with "unknown field"): its inputs and params are read from `values`, the results are recomputed
 * and equal the first run's bit for bit.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, REPO } from "../helpers/runCli.ts";

const dir = mkdtempSync(join(tmpdir(), "gs-feedback-"));
const planar = join(REPO, "graphs/planar-tanh.yaml");

describe("feeding a --json output back with --data", () => {
  it("grad --json → run/grad --data: the same loss, values and gradients, bit for bit", async () => {
    // Random inputs and seeded params: nothing but the output file carries them to the second run.
    const first = await runCli(["grad", planar, "--m", "7", "--seed", "5", "--json"]);
    expect(first.code).toBe(0);
    const file = join(dir, "grad-output.json");
    writeFileSync(file, first.stdout);

    const again = await runCli(["grad", planar, "--data", file, "--seed", "99", "--json"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(again.stdout)];
    expect(b.dims).toEqual({ m: 7 });
    expect(b.loss).toBe(a.loss);
    expect(b.values).toEqual(a.values);
    expect(b.grads).toEqual(a.grads);

    const run = await runCli(["run", planar, "--data", file, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).loss).toBe(a.loss);
  });

  it("a run --json output and a dls-convention output feed back too (values do not depend on the convention)", async () => {
    for (const args of [["run", "--json"], ["grad", "--json", "--convention", "dls"]]) {
      const first = await runCli([args[0], planar, "--m", "3", "--seed", "2", ...args.slice(1)]);
      const file = join(dir, `${args.join("")}.json`);
      writeFileSync(file, first.stdout);
      const again = await runCli(["run", planar, "--data", file, "--json"]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).values).toEqual(JSON.parse(first.stdout).values);
    }
  });

  it("an output of another graph, or with ids the graph does not have, is refused naming the field (exit 2)", async () => {
    const other = await runCli(["grad", join(REPO, "graphs/logistic-regression.yaml"), "--json"]);
    const file = join(dir, "other.json");
    writeFileSync(file, other.stdout);
    const result = await runCli(["run", planar, "--data", file]);
    expect(result.code).toBe(2);
    // (the streamed reader gives each issue its line too)
    expect(result.stderr).toContain(`${file}: this output is of graph 'logistic-regression', not 'planar-tanh' (field 'graph', line 1)`);
    expect(result.stderr).toMatch(/'\w+' is not an input, param or node of graph planar-tanh \(field 'values\.\w+', line 1\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);

    const extra = join(dir, "extra.json");
    writeFileSync(extra, JSON.stringify({ ...JSON.parse((await runCli(["run", planar, "--json"])).stdout), stray: 1 }));
    const stray = await runCli(["run", planar, "--data", extra]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("unknown field 'stray'");
  });
});
