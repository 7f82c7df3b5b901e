/**
 * `grad --convention dls` for a cost averaged over items (graphs/masked-items.yaml): the course's per-sample
 * dZ becomes ΣM·dJ/dZ = M ⊙ ∂L/∂Z, checked against the closed form of the fused softmax cross-entropy's
 * derivative, softmax(z) − y, computed here from the printed values.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { REPO } from "../helpers/runCli.ts";
import { runMain } from "../helpers/runMain.ts";

const masked = join(REPO, "graphs/masked-items.yaml");
const maskedData = join(REPO, "data/masked-items.json");

describe("the course's convention for a mean over items: dZ = ΣM·dJ/dZ = M ⊙ ∂L/∂Z", () => {
  it("grad --convention dls: dZ2's column i is Mᵢ·(softmax(z2ᵢ) − yᵢ), the per-sample derivative of the fused loss times the weight", async () => {
    const [dls, autodiff] = await Promise.all([
      runMain(["grad", masked, "--data", maskedData, "--convention", "dls", "--json"]),
      runMain(["grad", masked, "--data", maskedData, "--json"]),
    ]);
    const d = JSON.parse(dls.stdout), a = JSON.parse(autodiff.stdout);
    const z2: number[][] = d.values.Z2.data, y: number[][] = d.values.Y.data, mask: number[] = d.values.M.data[0];
    const dZ2: number[][] = d.grads.Z2.data;
    for (let j = 0; j < mask.length; j++) {
      const col = z2.map((row) => row[j]);
      const top = Math.max(...col);
      const e = col.map((v) => Math.exp(v - top));
      const s = e.reduce((p, q) => p + q, 0);
      for (let i = 0; i < 3; i++) expect(dZ2[i][j]).toBeCloseTo(mask[j] * (e[i] / s - y[i][j]), 14);
    }
    expect(d.grads.W1).toEqual(a.grads.W1); // dW = dJ/dW in both conventions
    expect(dls.stdout).not.toContain("null");
  });
});
