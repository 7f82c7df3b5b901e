import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMain } from "../helpers/runMain.ts";

// Regression: an overflow used to print J = Infinity (and "loss": null in --json) with exit status 0.
describe("a value that overflows float64", () => {
  const dir = mkdtempSync(join(tmpdir(), "gradstream-nonfinite-"));
  const data = join(dir, "huge.json");
  writeFileSync(data, JSON.stringify({ inputs: { X: [[0, 1, 2], [0, 1, 2], [1, 2, 3]], Y: [[1e200, 2, 3]] } }));

  for (const command of ["run", "grad"]) {
    it(`${command}: exits 1 naming the node where it first appears`, async () => {
      const result = await runMain([command, "graphs/regression-mse.yaml", "--data", data, "--json"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("graphs/regression-mse.yaml: node L: its value is Infinity at [0][0] (mse of Yhat, Y)");
    });
  }
});
