/**
 * The explorer page's model (web/explorerSession.ts) without a browser: its actions against the
 * from-scratch evaluation (forward/backward), and its refusals leaving the runtime exactly as it was.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openSession, parseNumber } from "../../web/explorerSession.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
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
  return { version: 1, graph: { text, format: "yaml", source: GRAPH }, data: withData ? { raw, source: "planar-data.json" } : null, seed: 1, m: 4, layout: { name: "", withValues: true, width: 0, height: 0, nodes: [], edges: [] }, layoutKey: "" };
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
    expectRefused(() => s.newBatch("0"), /m must be an integer/);
    expectRefused(() => s.newBatch("2.5"), /m must be an integer/);
    expectRefused(() => s.step("-1", 1), /learning rate/);
    expect(s.runtime.snapshot()).toBe(before);
    expect(s.m()).toBe(5);
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
    s.step("0.3", 3);
    expect(s.steps()).toBe(3);
    for (const p of s.graph.params) {
      const actual = s.runtime.snapshot().values[p.id].data;
      const expected = values.get(p.id)!.data;
      for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `${p.id}[${i}]`).toBeLessThanOrEqual(1e-14);
    }
  });

  it("draws a new batch of the asked m, and resets to the data", () => {
    const s = openSession(problem());
    const start = s.runtime.snapshot().values.J.data[0];
    s.newBatch("6");
    expect(s.m()).toBe(6);
    expect(s.runtime.snapshot().values.X.shape).toEqual([2, 6]);
    s.step("0.1", 2);
    s.reset();
    expect(s.m()).toBe(5);
    expect(s.steps()).toBe(0);
    expect(s.runtime.snapshot().values.J.data[0]).toBe(start);
  });

  it("draws random inputs of the server's m when there is no data file", () => {
    const s = openSession(problem(false));
    expect(s.m()).toBe(4);
    const graph = parseGraph(text, "yaml", GRAPH);
    expect(s.graph.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
  });
});
