/**
 * Every graph shipped in graphs/ loads, its shapes are those the issue describes, and the same graph
 * written in JSON gives the same Graph as its YAML.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import type { Graph } from "../../src/graph/graph.ts";
import type { Shape } from "../../src/ops/op.ts";

const GRAPHS_DIR = join(import.meta.dirname, "../../graphs");
const files = readdirSync(GRAPHS_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

// The networks of issue 2, item 5 (and the batch-coupled one of the verification issue), written as the
// shapes each id must have.
const EXPECTED: Record<string, Record<string, Shape>> = {
  "logistic-regression.yaml": { X: [4, "m"], Y: [1, "m"], w: [1, 4], b: [1, 1], Z: [1, "m"], A: [1, "m"], L: [1, "m"], J: [1, 1] },
  "planar-tanh.yaml": {
    X: [2, "m"], Y: [1, "m"], W1: [4, 2], b1: [4, 1], W2: [1, 4], b2: [1, 1],
    Z1: [4, "m"], A1: [4, "m"], Z2: [1, "m"], A2: [1, "m"], L: [1, "m"], J: [1, 1],
  },
  "deep-relu.yaml": {
    X: [5, "m"], Y: [1, "m"], W1: [4, 5], b1: [4, 1], W2: [3, 4], b2: [3, 1], W3: [1, 3], b3: [1, 1],
    Z1: [4, "m"], A1: [4, "m"], Z2: [3, "m"], A2: [3, "m"], Z3: [1, "m"], A3: [1, "m"], L: [1, "m"], J: [1, 1],
  },
  "mnist-softmax.yaml": {
    X: [784, "m"], Y: [10, "m"], W1: [128, 784], b1: [128, 1], W2: [10, 128], b2: [10, 1],
    Z1: [128, "m"], A1: [128, "m"], Z2: [10, "m"], L: [1, "m"], J: [1, 1],
  },
  "coupled-batchnorm.yaml": {
    X: [3, "m"], Y: [1, "m"], W1: [4, 3], b1: [4, 1], gamma: [4, 1], beta: [4, 1], W2: [1, 4], b2: [1, 1],
    Z1: [4, "m"], C: [4, "m"], S: [4, "m"], N: [4, "m"], A1: [4, "m"], Z2: [1, "m"], A2: [1, "m"], L: [1, "m"], J: [1, 1],
  },
  "masked-items.yaml": {
    X: [4, "m"], Y: [3, "m"], M: [1, "m"], W1: [6, 4], b1: [6, 1], W2: [3, 6], b2: [3, 1],
    Z1: [6, "m"], A1: [6, "m"], Z2: [3, "m"], L: [1, "m"], J: [1, 1],
  },
  "regression-mse.yaml": {
    X: [3, "m"], Y: [1, "m"], W1: [8, 3], b1: [8, 1], W2: [1, 8], b2: [1, 1],
    Z1: [8, "m"], A1: [8, "m"], Z2: [1, "m"], Yhat: [1, "m"], L: [1, "m"], J: [1, 1],
  },
};

it("graphs/ holds the networks listed here", () => {
  expect(files).toEqual(expect.arrayContaining(Object.keys(EXPECTED)));
});

describe.each(files)("graphs/%s", (file) => {
  const path = join(GRAPHS_DIR, file);

  it("loads, with the loss a scalar node reached by every other node", async () => {
    const graph = await loadGraph(path);
    expect(graph.source).toBe(path);
    expect(graph.kinds.get(graph.loss)).toBe("node");
    expect(graph.shapes.get(graph.loss)).toEqual([1, 1]);
    expect(graph.nodes.at(-1)!.id).toBe(graph.loss);
    // topological: every node after its operands
    const seen = new Set([...graph.inputs, ...graph.params].map((d) => d.id));
    for (const node of graph.nodes) {
      for (const ref of node.in) expect(seen.has(ref), `${node.id} reads ${ref} before it is computed`).toBe(true);
      seen.add(node.id);
    }
  });

  it.runIf(file in EXPECTED)("has the expected shapes", async () => {
    const graph = await loadGraph(path);
    expect(Object.fromEntries(graph.shapes)).toEqual(EXPECTED[file]);
  });

  it("gives the same Graph from its JSON form", () => {
    const text = readFileSync(path, "utf8");
    const fromYaml = parseGraph(text, "yaml", "g");
    const fromJson = parseGraph(JSON.stringify(parseYaml(text), null, 2), "json", "g");
    expect(comparable(fromJson)).toEqual(comparable(fromYaml));
  });
});

/** A Graph as plain data (Maps as entry lists, in their order), so order differences show too. */
function comparable(g: Graph) {
  return { ...g, shapes: [...g.shapes], kinds: [...g.kinds], consumers: [...g.consumers] };
}
