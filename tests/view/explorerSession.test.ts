/**
 * The explorer page's model (web/explorerSession.ts) without a browser: its actions against the
 * from-scratch evaluation (forward/backward), and its refusals leaving the runtime exactly as it was.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openSession } from "../../web/explorerSession.ts";
import { datasetRoles, parseNumber } from "../../web/dataSources.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { generateDataset } from "../../src/datasets/generateDataset.ts";
import { bindData } from "../../src/data/bindData.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { GradstreamError } from "../../src/errors.ts";
import { tensor, type Tensor } from "../../src/tensor/tensor.ts";
import type { ExplorerProblem } from "../../src/view/explorerProblem.ts";
import { REPO } from "../helpers/runCli.ts";

const GRAPH = "graphs/planar-tanh.yaml";
const text = readFileSync(join(REPO, GRAPH), "utf8");
const raw = JSON.parse(readFileSync(join(REPO, "tests/view/planar-data.json"), "utf8"));

function problem(withData = true): ExplorerProblem {
  // The layout plays no part in the model.
  return { version: 1, graph: { text, format: "yaml", source: GRAPH }, data: withData ? { raw, source: "planar-data.json" } : null, seed: 1, m: 4, layout: { name: "", withValues: true, direction: "right", width: 0, height: 0, nodes: [], edges: [] }, layoutKey: "" };
}

function expectRefused(action: () => void, message: string | RegExp): void {
  try {
    action();
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error("the action was not refused");
}

describe("parseNumber", () => {
  it("reads numbers as people type them and nothing else", () => {
    expect(["0.5", "-1e-3", " 2 ", "+.25", "3.", "1E2"].map(parseNumber)).toEqual([0.5, -0.001, 2, 0.25, 3, 100]);
    for (const bad of ["", "  ", "abc", "1,5", "0x10", "Infinity", "NaN", "1e999", "--1", "1 2"]) expect(parseNumber(bad), bad).toBeUndefined();
  });
});

describe("explorer session", () => {
  it("starts from the data file as the CLI reads it", () => {
    const s = openSession(problem());
    const bound = bindData(raw, s.graph, 1, "planar-data.json");
    const reference = forward(s.graph, bound.values);
    expect(s.m()).toBe(5);
    expect(s.runtime.snapshot().values.J.data[0]).toBe(reference.get("J")!.data[0]);
  });

  it("sets one entry and recomputes to the from-scratch numbers", () => {
    const s = openSession(problem());
    s.setEntry("X", 1, 3, "-0.25");
    const values = new Map<string, Tensor>();
    for (const d of [...s.graph.inputs, ...s.graph.params]) values.set(d.id, s.runtime.snapshot().values[d.id]);
    expect(values.get("X")!.data[1 * 5 + 3]).toBe(-0.25);
    const reference = forward(s.graph, values);
    expect(s.runtime.snapshot().values.J.data[0]).toBe(reference.get("J")!.data[0]);
  });

  it("refuses a non-number, a wrong shape, a computed node and a bad m, and changes nothing", () => {
    const s = openSession(problem());
    const before = s.runtime.snapshot();
    expectRefused(() => s.setEntry("X", 0, 0, "abc"), /"abc" is not a number/);
    expectRefused(() => s.setEntry("X", 0, 0, ""), /is not a number/);
    expectRefused(() => s.setEntry("X", 2, 0, "1"), /outside 2×5/);
    expectRefused(() => s.setTensor("X", "[[1, 2], [3, 4]]"), /m must agree/);
    expectRefused(() => s.setTensor("W1", "[[1, 2, 3]]"), /should be \[4,2\]/);
    expectRefused(() => s.setTensor("W1", "[[1, 2], [3"), /not valid JSON/);
    expectRefused(() => s.setTensor("Z1", "[[1]]"), /computed/);
    expectRefused(() => s.loadData({ source: "random", m: "0", seed: "1" }), /m must be an integer/);
    expectRefused(() => s.loadData({ source: "random", m: "2.5", seed: "1" }), /m must be an integer/);
    expectRefused(() => s.loadData({ source: "random", m: "5", seed: "-1" }), /seed must be an integer/);
    expectRefused(() => s.loadData({ source: "moons", m: "100", seed: "1", noise: "-0.1", testPercent: "20" }), /noise must be a number/);
    expectRefused(() => s.loadData({ source: "moons", m: "100", seed: "1", noise: "0.1", testPercent: "95" }), /test share must be a percentage/);
    expectRefused(() => s.loadData({ source: "mnist", m: "100", seed: "1" }), /not a data source/);
    expectRefused(() => s.step("-1", 1), /learning rate/);
    expectRefused(() => s.step("0.1", 1, "rmsprop" as "sgd"), /unknown optimizer/);
    expect(s.runtime.snapshot()).toBe(before);
    expect(s.m()).toBe(5);
    expect(s.change().kind).toBe("start");
  });

  it("takes gradient-descent steps p ← p − lr·dJ/dp, as the from-scratch backward computes them", () => {
    const s = openSession(problem());
    const values = new Map<string, Tensor>();
    for (const d of [...s.graph.inputs, ...s.graph.params]) values.set(d.id, s.runtime.snapshot().values[d.id]);
    for (let k = 0; k < 3; k++) {
      const grads = backward(s.graph, forward(s.graph, values));
      for (const p of s.graph.params) {
        const v = values.get(p.id)!;
        const g = grads.get(p.id)!;
        values.set(p.id, tensor(v.shape[0], v.shape[1], v.data.map((x, i) => x - 0.3 * g.data[i])));
      }
    }
    s.step("0.3", 3, "sgd");
    expect(s.steps()).toBe(3);
    for (const p of s.graph.params) {
      const actual = s.runtime.snapshot().values[p.id].data;
      const expected = values.get(p.id)!.data;
      for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `${p.id}[${i}]`).toBeLessThanOrEqual(1e-14);
    }
  });

  it("takes momentum and adam steps as the course writes them, keeping the optimizer's state across calls", () => {
    for (const name of ["momentum", "adam"] as const) {
      const s = openSession(problem());
      const values = new Map<string, Tensor>();
      for (const d of [...s.graph.inputs, ...s.graph.params]) values.set(d.id, s.runtime.snapshot().values[d.id]);
      // From scratch: v ← βv + (1−β)g, θ ← θ − η·v; adam: m, v moments, bias-corrected, θ ← θ − η·m̂/(√v̂ + ε).
      const lr = name === "adam" ? 0.01 : 0.3;
      const slots = new Map(s.graph.params.map((p) => [p.id, { m: new Float64Array(values.get(p.id)!.data.length), v: new Float64Array(values.get(p.id)!.data.length) }]));
      for (let t = 1; t <= 4; t++) {
        const grads = backward(s.graph, forward(s.graph, values));
        for (const p of s.graph.params) {
          const w = values.get(p.id)!;
          const g = grads.get(p.id)!.data;
          const { m, v } = slots.get(p.id)!;
          const next = w.data.map((x, i) => {
            if (name === "momentum") {
              m[i] = 0.9 * m[i] + 0.1 * g[i];
              return x - lr * m[i];
            }
            m[i] = 0.9 * m[i] + 0.1 * g[i];
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
            return x - (lr * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
          });
          values.set(p.id, tensor(w.shape[0], w.shape[1], next));
        }
      }
      s.step(String(lr), 1, name);
      s.step(String(lr), 3, name);
      expect(s.steps()).toBe(4);
      for (const p of s.graph.params) {
        const actual = s.runtime.snapshot().values[p.id].data;
        const expected = values.get(p.id)!.data;
        for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `${name} ${p.id}[${i}]`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected[i])));
      }
    }
  });

  it("trains from an edited param: each step reads the params from the runtime", () => {
    const s = openSession(problem());
    s.step("0.3", 1, "sgd");
    s.setEntry("W2", 0, 1, "0.75");
    const before = s.runtime.snapshot();
    s.step("0.3", 1, "sgd");
    const after = s.runtime.snapshot().values.W2.data[1];
    expect(after).toBe(0.75 - 0.3 * before.grads.W2.data[1]);
  });

  it("draws a random batch of the asked m and seed, names it, and marks the change", () => {
    const s = openSession(problem());
    expect(s.batch().text).toBe("data file planar-data.json · m = 5");
    s.loadData({ source: "random", m: "6", seed: "4" });
    expect(s.m()).toBe(6);
    expect(s.change()).toEqual({ kind: "load", label: "m = 6" });
    expect(s.batch().text).toBe("random batch · m = 6 · seed 4");
    const again = openSession(problem());
    again.loadData({ source: "random", m: "6", seed: "4" });
    expect(again.runtime.snapshot().values.X).toEqual(s.runtime.snapshot().values.X);
    s.setEntry("X", 0, 0, "1");
    expect(s.batch().text).toBe("random batch · m = 6 · seed 4 · X edited");
    s.loadData({ source: "data", m: "", seed: "" });
    expect(s.m()).toBe(5);
    expect(s.batch().text).toBe("data file planar-data.json · m = 5");
  });

  it("loads a generated dataset with a held-out test set, and its test cost is J on the held-out samples", () => {
    const s = openSession(problem());
    expect(s.sources).toEqual(["data", "random", "flower", "moons", "circles", "xor", "spiral"]);
    s.loadData({ source: "moons", m: "200", seed: "3", noise: "0.15", testPercent: "20" });
    expect(s.batch()).toEqual({ source: "moons", text: "moons (noise 0.15, seed 3) · m = 160 training samples · 40 held out for the test cost", m: 160, test: 40 });
    expect(s.change()).toEqual({ kind: "load", label: "moons" });
    // The reference: the same generator and seed, and the held-out columns are exactly the samples not trained on.
    const set = generateDataset("moons", { m: 200, seed: 3, noise: 0.15 });
    const X = s.runtime.snapshot().values.X;
    const testX = s.testInputs()!.X;
    const columns = (t: Tensor) => Array.from({ length: t.shape[1] }, (_, j) => `${t.data[j]},${t.data[t.shape[1] + j]}`);
    const all = columns(set.X);
    expect([...columns(X), ...columns(testX)].sort()).toEqual([...all].sort());
    const label = new Map(all.map((c, j) => [c, set.labels[j]]));
    const Y = s.runtime.snapshot().values.Y.data;
    columns(X).forEach((c, j) => expect(Y[j], c).toBe(label.get(c)));
    // The test cost: J of the held-out samples at the current params, evaluated from scratch.
    s.step("0.5", 5, "sgd");
    const bindings = new Map<string, Tensor>([["X", testX], ["Y", s.testInputs()!.Y]]);
    for (const p of s.graph.params) bindings.set(p.id, s.runtime.snapshot().values[p.id]);
    expect(s.testCost()).toBe(forward(s.graph, bindings).get("J")!.data[0]);
    s.loadData({ source: "moons", m: "200", seed: "3", noise: "0.15", testPercent: "0" });
    expect(s.testCost()).toBeUndefined();
    expect(s.m()).toBe(200);
  });

  it("resets the params and the optimizer, and keeps the data", () => {
    const s = openSession(problem());
    const initial = s.runtime.snapshot().values.W1;
    s.loadData({ source: "random", m: "6", seed: "2" });
    const atStart = s.runtime.snapshot().values.J.data[0];
    s.step("0.01", 3, "adam");
    s.reset();
    expect(s.change()).toEqual({ kind: "reset", label: "reset" });
    expect(s.m()).toBe(6);
    expect(s.steps()).toBe(0);
    expect(s.runtime.snapshot().values.W1).toEqual(initial);
    expect(s.runtime.snapshot().values.J.data[0]).toBe(atStart);
    // A fresh adam: the first step after a reset is adam's first step (its moments start at zero).
    const fresh = openSession(problem());
    fresh.loadData({ source: "random", m: "6", seed: "2" });
    fresh.step("0.01", 1, "adam");
    s.step("0.01", 1, "adam");
    expect(s.runtime.snapshot().values.W1).toEqual(fresh.runtime.snapshot().values.W1);
  });

  it("offers the generated datasets only to a classifier on two features", async () => {
    for (const [file, datasets] of [["planar-tanh.yaml", true], ["logistic-regression.yaml", false], ["regression-mse.yaml", false], ["mnist-softmax.yaml", false]] as const) {
      expect(datasetRoles(await loadGraph(join(REPO, "graphs", file))) !== undefined, file).toBe(datasets);
    }
  });

  it("draws random inputs of the server's m when there is no data file", () => {
    const s = openSession(problem(false));
    expect(s.m()).toBe(4);
    const graph = parseGraph(text, "yaml", GRAPH);
    expect(s.graph.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
  });
});
