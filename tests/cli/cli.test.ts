/**
 * The command line as a user meets it: run, grad and explain on every shipped graph, --help on every
 * command, exit status 2 and a message without a stack trace for usage mistakes and bad files. Values
 * are compared with the library computed in this process, exactly (the JSON output must round-trip
 * float64).
 *
 * A process per case would make the per-graph matrix slow, so it runs the CLI's `main()` in this process, and a few real child processes check that the binary prints the same, and what only a
 * process shows: exit status, stderr, no stack trace.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { allIds, hasBatchDim, type Graph } from "../../src/graph/graph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { forward, backward } from "../../src/graph/evaluate.ts";
import { buildProgram } from "../../src/cli/main.ts";
import { toRows, type Tensor } from "../../src/tensor/tensor.ts";
import { type CliResult, REPO, runCli } from "../helpers/runCli.ts";
import { runMain } from "../helpers/runMain.ts";
import { sampleStructure } from "../../src/verify/sampleStructure.ts";

const graphFiles = readdirSync(join(REPO, "graphs")).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const DEFAULT_M = 4; // `--m` default of run and grad
const DEFAULT_SEED = 1;

interface Matrix {
  shape: [number, number];
  data: number[][];
}
// JSON has no −0 (JSON.stringify(-0) is "0"); every other float64 must come back exactly.
const asMatrix = (t: Tensor): Matrix => ({ shape: [t.shape[0], t.shape[1]], data: toRows(t).map((row) => row.map((x) => (x === 0 ? 0 : x))) });
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

interface Outputs {
  graph: Graph;
  values: Map<string, Tensor>;
  grads: Map<string, Tensor>;
  run: CliResult;
  grad: CliResult;
  dls: CliResult;
  explain: CliResult;
}
const outputs = new Map<string, Outputs>();

beforeAll(async () => {
  for (const file of graphFiles) {
    const path = `graphs/${file}`;
    const graph = await loadGraph(join(REPO, path));
    const { values: bindings } = randomBindings(graph, DEFAULT_M, DEFAULT_SEED);
    const values = forward(graph, bindings);
    const run = await runMain(["run", path, "--json"]);
    const grad = await runMain(["grad", path, "--json"]);
    const dls = await runMain(["grad", path, "--json", "--convention", "dls"]);
    const explain = await runMain(["explain", path]);
    outputs.set(file, { graph, values, grads: backward(graph, values), run, grad, dls, explain });
  }
});

describe.each(graphFiles)("graphs/%s", (file) => {
  const get = () => outputs.get(file)!;

  it("run --json: exit 0, every input, param and node with its value, exactly", () => {
    const { graph, values, run } = get();
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.graph).toBe(graph.name);
    expect(out.dims).toEqual({ m: DEFAULT_M });
    expect(out.loss).toBe(values.get(graph.loss)!.data[0]);
    expect(Object.keys(out.values).sort()).toEqual(allIds(graph).sort());
    for (const id of allIds(graph)) expect(out.values[id], id).toEqual(asMatrix(values.get(id)!));
  });

  it("grad --json: exit 0, every value and every gradient dJ/dx, exactly", () => {
    const { graph, values, grads, grad } = get();
    expect(grad.code, grad.stderr).toBe(0);
    const out = JSON.parse(grad.stdout);
    expect(out.convention).toBe("autodiff");
    expect(out.loss).toBe(values.get(graph.loss)!.data[0]);
    expect(Object.keys(out.values).sort()).toEqual(allIds(graph).sort());
    expect(Object.keys(out.grads).sort()).toEqual(allIds(graph).sort());
    for (const id of allIds(graph)) {
      expect(out.values[id], id).toEqual(asMatrix(values.get(id)!));
      expect(out.grads[id], `grad ${id}`).toEqual(asMatrix(grads.get(id)!));
      expect(out.grads[id].shape, `grad ${id} has its tensor's shape`).toEqual(out.values[id].shape);
    }
    expect(out.grads[graph.loss].data).toEqual([[1]]);
  });

  it("grad --convention dls: m × autodiff for per-sample tensors, autodiff for params", () => {
    const { graph, grad, dls } = get();
    expect(dls.code, dls.stderr).toBe(0);
    const auto = JSON.parse(grad.stdout);
    const course = JSON.parse(dls.stdout);
    expect(course.convention).toBe("dls");
    expect(course.values).toEqual(auto.values);
    // m for a mean over the samples; ΣM, the items, for a weighted mean over them (masked-items)
    const weights = sampleStructure(graph).weights;
    const m = weights ? course.values[weights].data[0].reduce((a: number, b: number) => a + b, 0) : course.dims.m;
    for (const id of allIds(graph)) {
      const perSample = hasBatchDim(graph.shapes.get(id)!);
      const expected = perSample ? auto.grads[id].data.map((row: number[]) => row.map((x) => m * x)) : auto.grads[id].data;
      expect(course.grads[id].data, `${id} (${perSample ? "per sample" : "param or reduced"})`).toEqual(expected);
    }
    for (const p of graph.params) expect(course.grads[p.id], p.id).toEqual(auto.grads[p.id]);
  });

  it("explain: exit 0, marks the mean node, and shows the course's dW = (1/m)·dZ·A_prevᵀ, db = (1/m)·Σ dZ", () => {
    const { graph, explain } = get();
    expect(explain.code, explain.stderr).toBe(0);
    const lines = explain.stdout.split("\n");
    const weights = sampleStructure(graph).weights;
    const m = weights ? `Σ${weights}` : "m";
    const meanNodes = graph.nodes.filter((n) => n.op === (weights ? "weighted_mean" : "mean")).map((n) => n.id);
    const marked = lines.filter((l) => l.includes(weights ? `◀ the 1/m becomes 1/${m} here` : "◀ the 1/m enters here"));
    expect(marked.map((l) => l.split(" = ")[0])).toEqual(meanNodes);
    for (const node of graph.nodes.filter((n) => n.op === "linear")) {
      const [W, X, b] = node.in;
      expect(explain.stdout).toContain(`dJ/d${W} = dJ/d${node.id}·${X}ᵀ`);
      expect(explain.stdout).toContain(`d${W} = (1/${m})·d${node.id}·${X}ᵀ`);
      expect(explain.stdout).toContain(`d${b} = (1/${m})·Σ_samples d${node.id}`);
      expect(explain.stdout).toContain(`d${X} = ${W}ᵀ·d${node.id}`); // dA_prev carries no 1/m
    }
  });
});

it("explain of planar-tanh reads as the course writes it", () => {
  const text = outputs.get("planar-tanh.yaml")!.explain.stdout;
  expect(text).toMatch(/^J = mean\(L\) .*◀ the 1\/m enters here$/m);
  expect(text).toMatch(/dW1 = \(1\/m\)·dZ1·Xᵀ/);
  expect(text).toMatch(/dW2 = \(1\/m\)·dZ2·A1ᵀ/);
  expect(text).toMatch(/db1 = \(1\/m\)·Σ_samples dZ1/);
});

describe("the binary (child processes)", () => {
  it("prints what main() prints, for each command on a different graph, with exit 0", async () => {
    const runs = [
      ["run", "graphs/mnist-softmax.yaml", "--json"],
      ["grad", "graphs/planar-tanh.yaml", "--json", "--convention", "dls"],
      ["explain", "graphs/deep-relu.yaml"],
    ];
    const results = await Promise.all(runs.map((args) => runCli(args)));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${runs[i].join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe((await runMain(runs[i])).stdout);
    }
    expect(JSON.parse(results[1].stdout).grads.W1).toEqual(JSON.parse(outputs.get("planar-tanh.yaml")!.dls.stdout).grads.W1);
  });

  it("--help exits 0; a usage mistake exits 2 with a message and no stack trace", async () => {
    const [help, commandHelp, usage] = await Promise.all([
      runCli(["--help"]),
      runCli(["grad", "--help"]),
      runCli(["grad", "graphs/planar-tanh.yaml", "--convention", "course"]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gradstream /);
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toMatch(/^Usage: gradstream grad /);
    expect(commandHelp.stdout).toContain("--convention <name>");
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe("");
    expect(usage.stderr).toMatch(/argument 'course' is invalid. Allowed choices are autodiff, dls/);
    noStackTrace(usage.stderr);
  });
});

describe("help and usage", () => {
  it("--help on every command: exit 0 and its usage line", async () => {
    const names = (await buildProgram()).commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(["run", "grad", "explain"]));
    for (const name of names) {
      const r = await runMain([name, "--help"]);
      expect(r.code, `${name} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: gradstream ${name} `));
    }
  });

  it.each([
    { args: ["run"], says: /missing required argument 'graph'/ },
    { args: ["frobnicate", "graphs/planar-tanh.yaml"], says: /unknown command 'frobnicate'/ },
    { args: ["grad", "graphs/planar-tanh.yaml", "--m", "0"], says: /--m must be an integer from 1/ },
    { args: ["run", "graphs/planar-tanh.yaml", "--seed", "-3"], says: /--seed must be a non-negative integer|unknown option '-3'/ },
    { args: ["explain", "graphs/planar-tanh.yaml", "--jsn"], says: /unknown option '--jsn'/ },
  ])("gradstream $args: exit 2 with a message", async ({ args, says }) => {
    const r = await runMain(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(r.stdout).toBe("");
  });
});

describe("bad files", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gradstream-cli-"));
    return () => rm(dir, { recursive: true, force: true });
  });

  it("a graph with mistakes, and a data file of the wrong shape: exit 2, every mistake naming the file, no stack trace", async () => {
    const graph = join(dir, "broken.yaml");
    await writeFile(graph, "gradstream: 1\nname: broken\ninputs:\n  X: { shape: [2, m] }\nnodes:\n  A: { op: tanhh, in: [X] }\n  J: { op: mean, in: [Q] }\nloss: J\n");
    const data = join(dir, "data.json");
    await writeFile(data, JSON.stringify({ inputs: { X: [[1, 2], [3, 4], [5, 6]], Y: [[0, 1]] } }));
    const [badGraph, badData] = await Promise.all([runCli(["grad", graph, "--json"]), runCli(["run", "graphs/planar-tanh.yaml", "--data", data])]);
    expect(badGraph.code).toBe(2);
    expect(badGraph.stdout).toBe("");
    expect(badGraph.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^${graph}: node A: unknown op 'tanhh' .*\\(field 'op', line 6\\)$`)),
      `${graph}: node J: input 'Q' is not defined (field 'in[0]', line 7)`,
    ]);
    noStackTrace(badGraph.stderr);
    expect(badData.code).toBe(2);
    expect(badData.stderr.trim()).toBe(`${data}: node X: 'X' should be [2,2], got [3,2] (field 'shape')`);
    noStackTrace(badData.stderr);
  });

  it("a missing graph file: exit 2, the file named", async () => {
    const r = await runMain(["run", "graphs/nope.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("graphs/nope.yaml: no such file");
  });
});
