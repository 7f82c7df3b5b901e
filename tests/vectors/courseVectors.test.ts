/**
 * The course's published numbers (Deep Learning Specialization, course 1 week 4), read from the fixtures
 * in tests/fixtures/course-vectors/ (their provenance is in tests/fixtures/README.md): linear_forward's Z, compute_cost's J, and linear_backward's dA_prev, dW, db in the
 * course's convention (`--convention dls`), each within 1e-12 of the full-precision values.
 *
 * linear_backward is given a per-sample dZ rather than a loss, so the test builds a graph whose per-sample
 * gradient of Z is that dZ: with an input G = dZ,
 *     Z = linear(W, A_prev, b),  P = G ⊙ Z,  S = 1ᵀ·P  (a row: Σ over the rows),  J = mean(S)
 * gives J = (1/m)·Σᵢⱼ Gᵢⱼ Zᵢⱼ, so dJ/dZ = G/m and the course's dZ = m·dJ/dZ = G. Then dW, db and
 * dA_prev are the course's, and the 1/m of dW = (1/m)·dZ·A_prevᵀ comes from the graph's mean node.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { bindData } from "../../src/data/bindData.ts";
import { forward, backward } from "../../src/graph/evaluate.ts";
import { inConvention } from "../../src/cli/grad.ts";
import { type Tensor, toRows } from "../../src/tensor/tensor.ts";
import { runCli } from "../helpers/runCli.ts";

const VECTORS = fileURLToPath(new URL("../fixtures/course-vectors/", import.meta.url));
const TOLERANCE = 1e-12;

interface Matrix {
  shape: [number, number];
  data: number[][];
}

const vector = (name: string) => JSON.parse(readFileSync(join(VECTORS, name), "utf8"));

/** Every entry within 1e-12 of the reference, and the same shape. */
function expectWithin(actual: { shape: readonly number[]; rows: number[][] }, expected: Matrix, what: string) {
  expect(actual.shape, what).toEqual(expected.shape);
  const worst = Math.max(...actual.rows.flatMap((row, i) => row.map((x, j) => Math.abs(x - expected.data[i][j]))));
  expect(worst, `${what}: largest difference from the published value`).toBeLessThanOrEqual(TOLERANCE);
}
const fromTensor = (t: Tensor) => ({ shape: t.shape, rows: toRows(t) });

/** Forward and backward through the library, gradients in the course's convention. */
function evaluate(graphText: string, data: unknown) {
  const graph = parseGraph(graphText, "yaml", "test.yaml");
  const { values, m } = bindData(data, graph, 1, "data.json");
  const all = forward(graph, values);
  return { values: all, grads: inConvention(graph, backward(graph, all), m, "dls"), m };
}

/** A row of n ones, to sum the rows of a tensor without a param. */
const ones = (n: number) => [Array.from({ length: n }, () => 1)];

describe("linear_forward", () => {
  const v = vector("c1w4_linear_forward.json");
  const [n, k] = v.inputs.W.shape;
  const graph = `gradstream: 1
name: linear-forward
inputs:
  A: { shape: [${k}, m] }
  ones: { shape: [1, ${n}] }
params:
  W: { shape: [${n}, ${k}] }
  b: { shape: [${n}, 1] }
nodes:
  Z: { op: linear, in: [W, A, b] }
  S: { op: matmul, in: [ones, Z] }
  J: { op: mean, in: [S] }
loss: J
`;

  it("Z = W·A + b", () => {
    const { values } = evaluate(graph, { inputs: { A: v.inputs.A.data, ones: ones(n) }, params: { W: v.inputs.W.data, b: v.inputs.b.data } });
    expectWithin(fromTensor(values.get("Z")!), v.expected_full_precision.Z, "Z");
  });
});

describe("compute_cost", () => {
  const v = vector("c1w4_compute_cost.json");
  const graph = `gradstream: 1
name: compute-cost
inputs:
  AL: { shape: [1, m] }
  Y: { shape: [1, m] }
nodes:
  L: { op: bce, in: [AL, Y] }
  J: { op: mean, in: [L] }
loss: J
`;

  it.each((v.cases as { name: string }[]).map((c): [string, any] => [c.name, c]))("%s: J = −(1/m)·Σ (y·log a + (1−y)·log(1−a))", (_name, c) => {
    const { values } = evaluate(graph, { inputs: { AL: c.inputs.AL.data, Y: c.inputs.Y.data } });
    const J = values.get("J")!;
    expect(J.shape).toEqual([1, 1]);
    expect(Math.abs(J.data[0] - c.expected_full_precision)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe("linear_backward (--convention dls)", () => {
  const v = vector("c1w4_linear_backward.json");
  const graphFor = (n: number, k: number) => `gradstream: 1
name: linear-backward
inputs:
  A_prev: { shape: [${k}, m] }
  G: { shape: [${n}, m], description: "the course's dZ, given" }
  ones: { shape: [1, ${n}] }
params:
  W: { shape: [${n}, ${k}] }
  b: { shape: [${n}, 1] }
nodes:
  Z: { op: linear, in: [W, A_prev, b] }
  P: { op: mul, in: [G, Z] }
  S: { op: matmul, in: [ones, P] }
  J: { op: mean, in: [S] }
loss: J
`;
  const setup = (c: any) => {
    const [n, k] = c.inputs.W.shape;
    const data = { inputs: { A_prev: c.inputs.A_prev.data, G: c.inputs.dZ.data, ones: ones(n) }, params: { W: c.inputs.W.data, b: c.inputs.b.data } };
    return { graph: graphFor(n, k), data };
  };

  it.each((v.cases as { name: string }[]).map((c): [string, any] => [c.name, c]))("%s, through the library", (_name, c) => {
    const { graph, data } = setup(c);
    const { grads, m } = evaluate(graph, data);
    expect(m).toBe(c.inputs.dZ.shape[1]);
    expectWithin(fromTensor(grads.get("Z")!), c.inputs.dZ, "dZ (the graph reproduces the given per-sample dZ)");
    for (const [id, name] of [["W", "dW"], ["b", "db"], ["A_prev", "dA_prev"]]) expectWithin(fromTensor(grads.get(id)!), c.expected_full_precision[name], name);
  });

  it(`${v.cases[0].name}, through the CLI: gradstream grad --json --convention dls`, async () => {
    const c = v.cases[0];
    const { graph, data } = setup(c);
    const dir = await mkdtemp(join(tmpdir(), "gradstream-vectors-"));
    try {
      await writeFile(join(dir, "linear-backward.yaml"), graph);
      await writeFile(join(dir, "data.json"), JSON.stringify(data));
      const r = await runCli(["grad", join(dir, "linear-backward.yaml"), "--data", join(dir, "data.json"), "--json", "--convention", "dls"]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.convention).toBe("dls");
      expect(out.dims).toEqual({ m: c.inputs.dZ.shape[1] });
      const grad = (id: string) => ({ shape: out.grads[id].shape, rows: out.grads[id].data });
      expectWithin(grad("Z"), c.inputs.dZ, "dZ");
      expectWithin(grad("W"), c.expected_full_precision.dW, "dW");
      expectWithin(grad("b"), c.expected_full_precision.db, "db");
      expectWithin(grad("A_prev"), c.expected_full_precision.dA_prev, "dA_prev");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
