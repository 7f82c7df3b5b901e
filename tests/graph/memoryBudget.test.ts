/**
 * The memory budget's arithmetic against what evaluation really allocates: for every shipped graph, the
 * bytes it predicts for values and gradients equal the bytes of the tensors `forward`/`backward` and the
 * runtime return. Then the refusals: over the budget or over the per-tensor limit, a GradstreamError
 * "MEMORY" naming the largest tensors, thrown before anything is allocated, by the library too
 * (`createRuntime(graph, { maxMemory })`, at creation and when a transaction changes m).
 */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { checkMemoryBudget, formatBytes, runtimeItems, tensorItems } from "../../src/graph/memoryBudget.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { memorySize } from "../../src/cli/options.ts";
import { GradstreamError, formatIssue } from "../../src/errors.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { REPO } from "../helpers/runCli.ts";

const graphFiles = readdirSync(join(REPO, "graphs")).filter((f) => /\.(ya?ml|json)$/.test(f));
const bytesOf = (tensors: Iterable<Tensor>) => [...tensors].reduce((n, t) => n + t.data.byteLength, 0);
const sum = (items: { bytes: number }[]) => items.reduce((n, i) => n + i.bytes, 0);

describe("the plan predicts what evaluation allocates", () => {
  it.each(graphFiles)("%s: values and gradients of forward/backward at m = 7, byte for byte", async (name) => {
    const graph = await loadGraph(join(REPO, "graphs", name));
    const values = forward(graph, randomBindings(graph, 7, 1).values);
    const grads = backward(graph, values);
    expect(sum(tensorItems(graph, 7, "value"))).toBe(bytesOf(values.values()));
    expect(sum(tensorItems(graph, 7, "gradient"))).toBe(bytesOf(grads.values()));
  });

  it("the runtime's values and gradients, read from a snapshot, and the previous ones counted again", async () => {
    const graph = await loadGraph(join(REPO, "graphs", "mnist-softmax.yaml"));
    const rt = createRuntime(graph, { m: 5 });
    const ids = [...graph.kinds.keys()];
    const subs = ids.flatMap((id) => [rt.value$(id).subscribe(), rt.grad$(id).subscribe()]);
    const s = rt.snapshot();
    const held = bytesOf(ids.map((id) => s.values[id])) + bytesOf(ids.map((id) => s.grads[id]));
    expect(sum(runtimeItems(graph, 5))).toBe(2 * held);
    subs.forEach((x) => x.unsubscribe());
    rt.dispose();
  });
});

const fourBig = parseGraph(
  `gradstream: 1
name: four-unused
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
  "yaml",
  "four.yaml",
);

function memoryError(f: () => unknown): GradstreamError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    expect((e as GradstreamError).code).toBe("MEMORY");
    return e as GradstreamError;
  }
  throw new Error("expected a MEMORY error");
}

describe("checkMemoryBudget", () => {
  it("over the budget: the total, then the largest items (each at least 1% of it), then the rest summed", () => {
    const e = memoryError(() => checkMemoryBudget(tensorItems(fourBig, 4, "value"), { max: 2 ** 30, file: "four.yaml", holder: "run", m: 4, raise: "--max-memory" }));
    expect(e.issues.map(formatIssue)).toEqual([
      "four.yaml: run would hold 2 GiB of tensors at m = 4, over the memory budget of 1 GiB (raise it with --max-memory, or use a smaller graph or m); the largest:",
      "four.yaml: node A: value [8192,8192]: 512 MiB",
      "four.yaml: node B: value [8192,8192]: 512 MiB",
      "four.yaml: node C: value [8192,8192]: 512 MiB",
      "four.yaml: node D: value [8192,8192]: 512 MiB",
      "four.yaml: … and 2 more: 40 bytes",
    ]);
  });

  it("at the budget exactly it passes; one byte less and it is refused", () => {
    const items = tensorItems(fourBig, 4, "value");
    const total = sum(items);
    expect(() => checkMemoryBudget(items, { max: total, holder: "run", m: 4 })).not.toThrow();
    memoryError(() => checkMemoryBudget(items, { max: total - 1, holder: "run", m: 4 }));
  });

  it("a tensor over 2^26 elements is refused whatever the budget, named once", () => {
    const outer = parseGraph("gradstream: 1\nname: o\ninputs:\n  A: { shape: [m, 1] }\n  B: { shape: [1, m] }\nnodes:\n  P: { op: matmul, in: [A, B] }\n  S: { op: mean, in: [P] }\n  J: { op: matmul, in: [B, S] }\nloss: J\n", "yaml", "o.yaml");
    const items = [...tensorItems(outer, 8193, "value"), ...tensorItems(outer, 8193, "gradient")];
    const e = memoryError(() => checkMemoryBudget(items, { max: Infinity, file: "o.yaml", holder: "grad", m: 8193 }));
    expect(e.issues.map(formatIssue)).toEqual(["o.yaml: node P: value [8193,8193] at m = 8193 has 67125249 elements, over the limit of 67108864 (2^26) per tensor"]);
    expect(() => checkMemoryBudget([...tensorItems(outer, 8192, "value")], { max: Infinity, holder: "grad", m: 8192 })).not.toThrow();
  });

  it("formats sizes in binary units", () => {
    expect([0, 1023, 1024, 1536, 2 ** 20, 1.75 * 2 ** 30, 2 ** 40].map(formatBytes)).toEqual(["0 bytes", "1023 bytes", "1 KiB", "1.5 KiB", "1 MiB", "1.75 GiB", "1 TiB"]);
  });

  it("--max-memory sizes: binary units, case and B/iB ignored, at least 1M", () => {
    expect(["512M", "2G", "1.5GiB", "64mb", "1048576", "1T"].map(memorySize)).toEqual([512 * 2 ** 20, 2 * 2 ** 30, 1.5 * 2 ** 30, 64 * 2 ** 20, 2 ** 20, 2 ** 40]);
    for (const bad of ["1k", "", "G", "-1G", "1e9", "2 GB extra", "1048575"]) expect(() => memorySize(bad), bad).toThrow(/--max-memory is a size of at least 1M/);
  });
});

describe("createRuntime({ maxMemory })", () => {
  it("refuses a graph whose params alone exceed it, before drawing them (default 1 GiB)", () => {
    const e = memoryError(() => createRuntime(fourBig));
    expect(e.message.split("\n")[0]).toBe("four.yaml: the runtime would hold 8 GiB of tensors at m = 4, over the memory budget of 1 GiB (raise it with the maxMemory option, or use a smaller graph or m); the largest:");
    expect(e.issues[1]).toMatchObject({ node: "A", message: "value [8192,8192] (twice while a transaction runs): 1 GiB" });
  });

  it("refuses a transaction that changes m past it; the last good state stays", async () => {
    const graph = await loadGraph(join(REPO, "graphs", "planar-tanh.yaml"));
    // values: X 2m, Y m, Z1 4m, A1 4m, Z2, A2, L m each; W1 8, b1 4, W2 4, b2 1, J 1: 14m + 18 floats; as many
    // gradients; twice while a transaction runs: 4 × 8 × (14m + 18) bytes
    const rt = createRuntime(graph, { m: 4, maxMemory: 32 * (14 * 1000 + 18) });
    const losses: number[] = [];
    const sub = rt.value$("J").subscribe((j) => losses.push(j.data[0]));
    const at = (m: number) => ({ X: Array.from({ length: 2 }, () => new Array(m).fill(0.5)), Y: [new Array(m).fill(1)] });
    rt.set(at(1000)); // exactly the budget
    const e = memoryError(() => rt.set(at(1001)));
    expect(e.message.split("\n")[0]).toBe(`${graph.source}: the runtime would hold 439 KiB of tensors at m = 1001, over the memory budget of 438 KiB (raise it with the maxMemory option, or use a smaller graph or m); the largest:`);
    expect(rt.snapshot().values.X.shape).toEqual([2, 1000]);
    expect(losses).toHaveLength(2);
    sub.unsubscribe();
    rt.dispose();
  });
});
