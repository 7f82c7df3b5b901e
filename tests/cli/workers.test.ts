/**
 * Data parallelism through the built command line (worker threads run built JavaScript): `train --workers N`
 * splits each batch across N threads, combines their gradients by the weighted rule and steps once, and
 * must give the costs and params of training without workers, to 1e-10 relative — on shuffled mini-batches
 * whose shards differ in size, with accumulation inside each worker, and on the masked graph, whose shards
 * hold different numbers of items or none. `check --workers N` must print what `check` prints.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runCli } from "../helpers/runCli.ts";

const dir = mkdtempSync(join(tmpdir(), "gs-workers-"));
const planar = join(REPO, "graphs/planar-tanh.yaml");
const masked = join(REPO, "graphs/masked-items.yaml");
const maskedData = join(REPO, "data/masked-items.json");

interface Trained {
  costs: number[];
  final: number;
  params: Record<string, number[][]>;
}

async function train(graph: string, args: string[], name: string): Promise<Trained> {
  const out = join(dir, `${name}.json`);
  const { code, stdout, stderr } = await runCli(["train", graph, ...args, "--print-every", "1", "--json", "--out", out]);
  expect(code, stderr).toBe(0);
  const summary = JSON.parse(stdout);
  return { costs: summary.costs.map((c: { cost: number }) => c.cost), final: summary.final.cost, params: JSON.parse(readFileSync(out, "utf8")).params };
}

function expectSame(a: Trained, b: Trained): void {
  expect(a.costs.length).toBe(b.costs.length);
  a.costs.forEach((c, i) => expect(Math.abs(c - b.costs[i]) / Math.abs(b.costs[i]), `cost ${i}`).toBeLessThan(1e-10));
  expect(Math.abs(a.final - b.final) / b.final).toBeLessThan(1e-10);
  let d = 0, na = 0, nb = 0;
  for (const id of Object.keys(b.params)) {
    const x = a.params[id].flat(), y = b.params[id].flat();
    x.forEach((v, i) => ((d += (v - y[i]) ** 2), (na += v * v), (nb += y[i] * y[i])));
  }
  expect(Math.sqrt(d) / (Math.sqrt(na) + Math.sqrt(nb))).toBeLessThan(1e-10);
}

describe("train --workers N: the costs and params of training without workers, to 1e-10", () => {
  it("the planar data in shuffled mini-batches of 64 (the last of 16), 3 workers, with and without --accumulate 2", async () => {
    const args = ["--data", join(REPO, "data/planar_flower.json"), "--optimizer", "adam", "--lr", "0.02", "--batch-size", "64", "--iterations", "30"];
    const [plain, parallel, both] = await Promise.all([
      train(planar, args, "planar-plain"),
      train(planar, [...args, "--workers", "3"], "planar-workers"),
      train(planar, [...args, "--workers", "3", "--accumulate", "2"], "planar-both"),
    ]);
    expectSame(parallel, plain);
    expectSame(both, plain);
    expect(plain.costs.at(-1)!).toBeLessThan(plain.costs[0]);
  });

  it("the masked graph: 2 shards of 3 and 13 items, and 8 shards of which 2 hold no items", async () => {
    const args = ["--data", maskedData, "--lr", "0.5", "--iterations", "40"];
    const [plain, two, eight] = await Promise.all([train(masked, args, "masked-plain"), train(masked, [...args, "--workers", "2"], "masked-2"), train(masked, [...args, "--workers", "8"], "masked-8")]);
    expectSame(two, plain);
    expectSame(eight, plain);
  });

  it("names the workers in its report", async () => {
    const { code, stdout } = await runCli(["train", masked, "--data", maskedData, "--iterations", "3", "--workers", "2", "--accumulate", "2"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^masked-items: sgd \(lr 0\.1\), 3 iterations, full batch, each update accumulated over 2 micro-batches, split across 2 workers, m = 32/m);
  });
});

describe("train --workers: errors", () => {
  it("a graph that couples samples: exit 2 naming the node, before any worker starts", async () => {
    const file = join(dir, "coupled.json");
    writeFileSync(file, JSON.stringify({ inputs: { X: [[1, 2, 3, 4], [0, 1, 0, 1], [2, 2, 1, 0]], Y: [[0, 1, 1, 0]] } }));
    const { code, stderr } = await runCli(["train", join(REPO, "graphs/coupled-batchnorm.yaml"), "--data", file, "--workers", "2"]);
    expect(code).toBe(2);
    expect(stderr).toContain("node C: data-parallel training needs a cost that is a mean or a sum of per-sample costs: node 'C' (center_batch) couples samples");
  });

  it("a batch without items: exit 1 naming the cost node", async () => {
    const data = JSON.parse(readFileSync(maskedData, "utf8"));
    data.inputs.M = [data.inputs.M[0].map(() => 0)];
    const file = join(dir, "no-items.json");
    writeFileSync(file, JSON.stringify(data));
    const { code, stderr } = await runCli(["train", masked, "--data", file, "--iterations", "2", "--workers", "2"]);
    expect(code).toBe(1);
    expect(stderr).toContain("node J: the batch holds no items (its weights 'M' sum to 0): no cost to average");
  });
});

describe("check --workers N prints what check prints", () => {
  it.each([
    ["masked-items.yaml", 0],
    ["coupled-batchnorm.yaml", 1],
  ])("%s (exit %i)", async (file, status) => {
    const args = ["check", join(REPO, "graphs", file), "--seed", "5", "--runs", "12"];
    const [alone, parallel] = await Promise.all([runCli(args), runCli([...args, "--workers", "2"])]);
    expect(alone.code).toBe(status);
    expect(parallel.code).toBe(status);
    expect(parallel.stdout).toBe(alone.stdout);
    expect(parallel.stderr).toBe(alone.stderr);
  });
});
