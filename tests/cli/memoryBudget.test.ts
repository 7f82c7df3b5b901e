/**
 * The memory budget on the command line: every reproducer of issue 10 that used to take gigabytes (or die in
 * evaluation) is refused with exit 2 before anything is allocated, naming the largest tensors, and the child
 * process's peak memory shows nothing big was allocated (Node alone peaks near 60 MB here). `--max-memory`
 * moves the line both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliMeasured } from "../helpers/runCliMeasured.ts";

/** Far below any of the refused sizes (≥ 2 GiB), far above Node's own start-up. */
const REFUSED_PEAK_MB = 200;
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gradstream-budget-"));
  // The 332-byte graph: four [8192, 8192] params nothing reads (2 GiB of values).
  await writeFile(
    file("four-unused.yaml"),
    `gradstream: 1
name: four-unused
description: Four big params that no node reads; run would allocate 2 GiB for them.
inputs:
  X: { shape: [1, m] }
params:
  A: { shape: [8192, 8192] }
  B: { shape: [8192, 8192] }
  C: { shape: [8192, 8192] }
  D: { shape: [8192, 8192] }
nodes:
  J: { op: mean, in: [X] }
loss: J
`,
  );
  // Six chained [8192, 8192] nodes: grad would hold 7 GiB of values and gradients.
  await writeFile(
    file("six-chained.yaml"),
    `gradstream: 1
name: six-chained
inputs:
  X: { shape: [8192, 8192] }
params:
  u: { shape: [1, 8192] }
nodes:
  N1: { op: relu, in: [X] }
  N2: { op: relu, in: [N1] }
  N3: { op: relu, in: [N2] }
  N4: { op: relu, in: [N3] }
  N5: { op: relu, in: [N4] }
  N6: { op: relu, in: [N5] }
  S: { op: matmul, in: [u, N6] }
  M: { op: mean, in: [S] }
  J: { op: sum, in: [M] }
loss: J
`,
  );
  // An outer product of the batch with itself: [m, m], fine at small m, over the per-tensor limit at m = 10⁴.
  await writeFile(
    file("outer-m.yaml"),
    `gradstream: 1
name: outer-m
inputs:
  A: { shape: [m, 1] }
  B: { shape: [1, m] }
nodes:
  P: { op: matmul, in: [A, B] }
  S: { op: mean, in: [P] }
  J: { op: matmul, in: [B, S] }
loss: J
`,
  );
  // An outer product [2^20, 1]·[1, 2^20]: 2^40 elements, which passed validation and died evaluating.
  await writeFile(
    file("outer.yaml"),
    `gradstream: 1
name: outer
inputs:
  X: { shape: [1048576, 1] }
  Y: { shape: [1, 1048576] }
nodes:
  P: { op: matmul, in: [X, Y] }
  S: { op: mean, in: [P] }
  J: { op: sum, in: [S] }
loss: J
`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("refused before allocating, naming the largest tensors (regressions)", () => {
  it("run on the graph with four unused [8192, 8192] params: exit 2, 2 GiB over the 1 GiB default", async () => {
    const r = await runCliMeasured(["run", file("four-unused.yaml")]);
    expect(r.code).toBe(2);
    // (the unused params are warned about first: "node A: warning: param 'A' is not read by any node …")
    const lines = r.stderr.trim().split("\n").filter((l) => !l.includes(": warning: "));
    expect(lines[0]).toBe(`${file("four-unused.yaml")}: run would hold 2 GiB of tensors at m = 4, over the memory budget of 1 GiB (raise it with --max-memory, or use a smaller graph or m); the largest:`);
    expect(lines.slice(1, 5)).toEqual(["A", "B", "C", "D"].map((id) => `${file("four-unused.yaml")}: node ${id}: value [8192,8192]: 512 MiB`));
    expect(r.peakMB).toBeLessThan(REFUSED_PEAK_MB);
    noStackTrace(r.stderr);
  });

  it("grad on six chained [8192, 8192] nodes: exit 2 (7 GiB of values and gradients)", async () => {
    const r = await runCliMeasured(["grad", file("six-chained.yaml")]);
    expect(r.code).toBe(2);
    // 7 tensors of 512 MiB (X, N1…N6) twice (value and gradient), and the small ones.
    expect(r.stderr).toMatch(/grad would hold 7 GiB of tensors at m = 4, over the memory budget of 1 GiB/);
    expect(r.stderr).toContain("node X: value [8192,8192]: 512 MiB");
    expect(r.peakMB).toBeLessThan(REFUSED_PEAK_MB);
  });

  it("matmul [2^20,1]·[1,2^20]: refused when the graph is read (exit 2), not in evaluation (it was exit 1)", async () => {
    const r = await runCliMeasured(["grad", file("outer.yaml")]);
    expect(r.code).toBe(2);
    // and, in the same pass, the loss: sum(mean(P)) of a [2^20, 2^20] P is [2^20, 1], not a scalar
    expect(r.stderr.trim()).toBe(
      `${file("outer.yaml")}: node P: matmul gives [1048576,1048576]: 1099511627776 elements, over the limit of 67108864 (2^26) per tensor (field 'in', line 7)\n` +
        `${file("outer.yaml")}: node J: the loss must be a scalar [1,1], 'J' is [1048576,1] (field 'loss', line 10)`,
    );
    expect(r.peakMB).toBeLessThan(REFUSED_PEAK_MB);
  });

  it("a node over 2^26 elements only at the actual m: refused at that m, whatever the budget", async () => {
    const r = await runCliMeasured(["grad", file("outer-m.yaml"), "--m", "10000", "--max-memory", "64G"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${file("outer-m.yaml")}: node P: value [10000,10000] at m = 10000 has 100000000 elements, over the limit of 67108864 (2^26) per tensor`);
    expect(r.peakMB).toBeLessThan(REFUSED_PEAK_MB);
    expect((await runCliMeasured(["grad", file("outer-m.yaml"), "--m", "100"])).code).toBe(0);
  });

  it("train with more iterations than the cost history can hold: exit 2 (was a RangeError from new Float64Array)", async () => {
    const r = await runCliMeasured(["train", "graphs/planar-tanh.yaml", "--dataset", "moons", "--epochs", "100000000", "--batch-size", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/node X|the cost of each of the 40000000000 iterations: 298 GiB/);
    expect(r.peakMB).toBeLessThan(REFUSED_PEAK_MB);
    noStackTrace(r.stderr);
  });
});

describe("--max-memory", () => {
  it("lowers the line: planar-tanh at m = 100 000 fits 1 GiB but not 8M, and the message says how to raise it", async () => {
    const ok = await runCliMeasured(["run", "graphs/planar-tanh.yaml", "--m", "100000"]);
    expect(ok.code).toBe(0);
    // values: X 2, Y 1, Z1 4, A1 4, Z2 1, A2 1, L 1 rows of m; W1 8, b1 4, W2 4, b2 1, J 1: 14m + 18 floats
    const refused = await runCliMeasured(["run", "graphs/planar-tanh.yaml", "--m", "100000", "--max-memory", "8M"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split("\n")[0]).toBe(`graphs/planar-tanh.yaml: run would hold ${Number(((14 * 100000 + 18) * 8 / 2 ** 20).toPrecision(3))} MiB of tensors at m = 100000, over the memory budget of 8 MiB (raise it with --max-memory, or use a smaller graph or m); the largest:`);
  });

  it("refuses a size that is not one, naming the option", async () => {
    for (const bad of ["1k", "lots", "-5M", "0"]) {
      const r = await runCliMeasured(["run", "graphs/planar-tanh.yaml", "--max-memory", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--max-memory is a size of at least 1M, such as 512M or 2G (K, M, G, T: powers of 1024), got '${bad}'`);
    }
  });

  it("is an option of every command that allocates", async () => {
    for (const command of ["run", "grad", "check", "watch", "render", "serve", "train"]) {
      const r = await runCliMeasured([command, "--help"]);
      expect(r.stdout, command).toContain("--max-memory <size>");
    }
  });
});
