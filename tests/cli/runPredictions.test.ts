/**
 * `run` prints what a classifier predicts: class probabilities and the predicted class of each sample.
 * Regression: on a softmax graph it printed the logits the loss reads as "predictions". The reference
 * here is a softmax written out in the test, applied to the logits `run --json` reports.
 */
import { describe, expect, it } from "vitest";
import { runMain } from "../helpers/runMain.ts";

interface RunJson {
  values: Record<string, { shape: [number, number]; data: number[][] }>;
  predictions: { loss: string; op: string; of: string; probabilities?: { shape: [number, number]; data: number[][] }; classes?: number[]; values?: { data: number[][] } }[];
}

function columnSoftmax(z: number[][]): number[][] {
  const [n, m] = [z.length, z[0].length];
  const out = z.map((row) => row.map(() => 0));
  for (let j = 0; j < m; j++) {
    const top = Math.max(...z.map((row) => row[j]));
    const e = z.map((row) => Math.exp(row[j] - top));
    const total = e.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) out[i][j] = e[i] / total;
  }
  return out;
}

const argmaxPerColumn = (p: number[][]) => p[0].map((_, j) => p.reduce((best, row, i) => (row[j] > p[best][j] ? i : best), 0));

describe("run: predictions of a classifier", () => {
  it("softmax graph: probabilities = softmax of the logits, each column summing to 1, and the argmax class", async () => {
    const r = await runMain(["run", "graphs/mnist-softmax.yaml", "--m", "5", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as RunJson;
    const [q] = out.predictions;
    expect(q).toMatchObject({ loss: "L", op: "softmax_cross_entropy", of: "Z2" });
    const expected = columnSoftmax(out.values.Z2.data);
    q.probabilities!.data.forEach((row, i) => row.forEach((p, j) => expect(p).toBeCloseTo(expected[i][j], 14)));
    for (let j = 0; j < 5; j++) expect(q.probabilities!.data.reduce((s, row) => s + row[j], 0)).toBeCloseTo(1, 14);
    expect(q.classes).toEqual(argmaxPerColumn(expected));

    const text = await runMain(["run", "graphs/mnist-softmax.yaml", "--m", "5"]);
    expect(text.stdout).toContain("class probabilities, one column per sample: softmax(Z2), Z2 being logits [10×5]:");
    expect(text.stdout).toContain(`predicted class (per sample): ${q.classes!.join(" ")}\n`);
    expect(text.stdout).not.toMatch(/^Z2 \[/m); // the logits are no longer shown as the predictions
  });

  it("bce graph: the probability of class 1 is the sigmoid output itself, class 1 above 0.5", async () => {
    const out = JSON.parse((await runMain(["run", "graphs/planar-tanh.yaml", "--m", "6", "--seed", "4", "--json"])).stdout) as RunJson;
    const [q] = out.predictions;
    expect(q.probabilities!.data).toEqual(out.values.A2.data);
    expect(q.classes).toEqual(out.values.A2.data[0].map((a) => (a > 0.5 ? 1 : 0)));
  });

  it("mse graph: the values compared with the targets, no classes", async () => {
    const out = JSON.parse((await runMain(["run", "graphs/regression-mse.yaml", "--json"])).stdout) as RunJson;
    const [q] = out.predictions;
    expect(q.probabilities).toBeUndefined();
    expect(q.values!.data).toEqual(out.values[q.of].data);
  });
});
