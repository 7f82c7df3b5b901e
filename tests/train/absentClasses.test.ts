/**
 * Training a classifier on data in which some of its classes never occur warns (stderr), and trains as
 * before (issue 10: a 3-class graph on 2-class data gave no sign of it).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMain } from "../helpers/runMain.ts";

const dir = mkdtempSync(join(tmpdir(), "gradstream-classes-"));
/** stderr without the progress lines (plain "training: i/n …" lines when not on a terminal). */
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l && !l.startsWith("training: ")).join("\n");
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
const softmax3 = file(
  "soft3.yaml",
  `gradstream: 1
name: soft3
inputs:
  X: { shape: [2, m] }
  Y: { shape: [3, m] }
params:
  W: { shape: [3, 2] }
  b: { shape: [3, 1], init: zeros }
nodes:
  Z: { op: linear, in: [W, X, b] }
  L: { op: softmax_cross_entropy, in: [Z, Y] }
  J: { op: mean, in: [L] }
loss: J
`,
);

describe("train: classes absent from the data", () => {
  it("a 3-class graph on 2-class data: one warning naming the data file, the target and the missing class; exit 0", async () => {
    const csv = file("two.csv", "a,b,label\n1,2,0\n2,1,1\n3,3,0\n0,1,1\n");
    const r = await runMain(["train", softmax3, "--data", csv, "--iterations", "3"]);
    expect(r.code).toBe(0);
    expect(warnings(r.stderr)).toBe(`${csv}: node Y: warning: 'Y' has 3 rows (classes) but the data has samples of 2 of them (class 2 never occurs): the graph learns to never predict it, and the accuracy says nothing about it`);
    expect(r.stdout).toMatch(/^Accuracy: /m);
  });

  it("every class present: no warning", async () => {
    const csv = file("three.csv", "a,b,label\n1,2,0\n2,1,1\n3,3,2\n");
    expect(warnings((await runMain(["train", softmax3, "--data", csv, "--iterations", "3"])).stderr)).toBe("");
  });

  it("binary labels that are all 0: the warning names class 1", async () => {
    const csv = file("zeros.csv", "a,b,label\n1,2,0\n2,1,0\n");
    const r = await runMain(["train", "graphs/planar-tanh.yaml", "--data", csv, "--iterations", "3"]);
    expect(r.code).toBe(0);
    expect(warnings(r.stderr)).toBe(`${csv}: node Y: warning: 'Y' holds 0/1 labels but the data has samples of 1 of them (class 1 never occurs): the graph learns to never predict it, and the accuracy says nothing about it`);
  });
});
