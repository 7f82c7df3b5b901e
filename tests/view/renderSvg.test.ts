/**
 * The SVG of `gradstream render`, read as text (no DOM): every id drawn once, every edge drawn with its
 * shape, well-formed XML with user text escaped, generic font families only, the 1/m badge on the mean
 * nodes and nowhere else, byte-identical output from run to run, and with --data the numbers in each box
 * equal to what `gradstream grad --json` prints for the same data.
 */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { allIds } from "../../src/graph/graph.ts";
import { backward, forward } from "../../src/graph/evaluate.ts";
import { explainGraph } from "../../src/graph/explainGraph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { layoutGraph } from "../../src/view/layoutGraph.ts";
import { nodeSummaries } from "../../src/view/nodeSummaries.ts";
import { renderSvg } from "../../src/view/renderSvg.ts";
import { REPO, runCli } from "../helpers/runCli.ts";

const graphFiles = readdirSync(join(REPO, "graphs")).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const DATA = "tests/view/planar-data.json";

/** Attribute values of every element carrying `data-id`, keyed by id. */
function nodeAttributes(svg: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [tag] of svg.matchAll(/<g [^>]*data-id="[^"]*"[^>]*>/g)) {
    const attrs = Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (out.has(attrs["data-id"])) throw new Error(`${attrs["data-id"]} is drawn twice`);
    out.set(attrs["data-id"], attrs);
  }
  return out;
}

/**
 * A strict check of the subset of XML the renderer writes: tags with double-quoted attributes, balanced,
 * and text without a raw `<` or a bare `&`. Anything else fails.
 */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const text = svg.slice(i, lt < 0 ? svg.length : lt);
    expect(text, `text at ${i}`).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    if (!m) throw new Error(`malformed tag at ${lt}: ${svg.slice(lt, lt + 60)}`);
    for (const [, value] of m[3].matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]);
    i = tag.lastIndex;
  }
  expect(stack).toEqual([]);
}

function norm(rows: number[][]): number {
  let s = 0;
  for (const row of rows) for (const x of row) s += x * x;
  return Math.sqrt(s);
}

describe.each(graphFiles)("render graphs/%s", (file) => {
  it("draws every id once and every operand edge with its shape, as well-formed SVG", async () => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    const values = forward(graph, randomBindings(graph, 3, 1).values);
    const svg = renderSvg(await layoutGraph(graph, { values: true }), { summaries: nodeSummaries(graph, values, backward(graph, values)), m: 3 });
    assertWellFormed(svg);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    const nodes = nodeAttributes(svg);
    expect([...nodes.keys()].sort()).toEqual(allIds(graph).sort());
    for (const n of graph.nodes) {
      n.in.forEach((ref, slot) => {
        const shape = graph.shapes.get(ref)!.join("×");
        const edge = new RegExp(`<g class="gs-edge" data-source="${ref}" data-target="${n.id}" data-slot="${slot}">.*?<text class="gs-shape"[^>]*>${shape}</text></g>`);
        expect(svg, `edge ${ref} → ${n.id}[${slot}] labelled ${shape}`).toMatch(edge);
      });
    }
    const edgeCount = graph.nodes.reduce((k, n) => k + n.in.length, 0);
    expect(svg.match(/class="gs-edge"/g)).toHaveLength(edgeCount);
    const families = new Set([...svg.matchAll(/font-family="([^"]*)"/g)].flatMap((m) => m[1].split(",").map((f) => f.trim())));
    expect([...families].every((f) => ["system-ui", "sans-serif", "ui-monospace", "monospace"].includes(f)), [...families].join(", ")).toBe(true);
    const badges = svg.match(/class="gs-one-over-m"/g) ?? [];
    const explanation = explainGraph(graph);
    expect(badges).toHaveLength(explanation.meanNodes.length + explanation.weightedNodes.length);
    // a mean over items reads ×1/ΣM: the 1/m becomes 1/ΣM
    for (const w of explanation.weightedNodes) expect(svg).toMatch(new RegExp(`data-id="${w.node}"[^]*?<text[^>]*>×1/Σ${w.weights}</text>`));
  });
});

describe("render", () => {
  it("writes planar-tanh as the stored snapshot", async () => {
    const graph = await loadGraph(join(REPO, "graphs/planar-tanh.yaml"));
    await expect(renderSvg(await layoutGraph(graph))).toMatchFileSnapshot("__snapshots__/planar-tanh.svg");
  });

  it("escapes the text of the graph file", async () => {
    const graph = parseGraph(
      `gradstream: 1
name: "a<b & \\"c\\" 'd'>"
description: "<script>alert(1)</script> & more"
inputs: { X: { shape: [2, m] } }
params: { W: { shape: [1, 2] } }
nodes:
  Z: { op: matmul, in: [W, X] }
  J: { op: mean, in: [Z] }
loss: J
`,
      "yaml",
    );
    const svg = renderSvg(await layoutGraph(graph));
    assertWellFormed(svg);
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
    expect(svg).toContain("a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  });

  it("shows with --data the value and gradient that `grad --json` computes, and is byte-identical run to run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gradstream-render-"));
    try {
      const [a, b, grad] = await Promise.all([
        runCli(["render", "graphs/planar-tanh.yaml", "--data", DATA, "-o", join(dir, "a.svg")]),
        runCli(["render", "graphs/planar-tanh.yaml", "--data", DATA, "-o", join(dir, "b.svg")]),
        runCli(["grad", "graphs/planar-tanh.yaml", "--data", DATA, "--json"]),
      ]);
      expect([a.code, b.code, grad.code]).toEqual([0, 0, 0]);
      const svg = await readFile(join(dir, "a.svg"), "utf8");
      expect(await readFile(join(dir, "b.svg"), "utf8")).toBe(svg);
      const reference = JSON.parse(grad.stdout) as { loss: number; values: Record<string, { data: number[][] }>; grads: Record<string, { data: number[][] }> };
      const nodes = nodeAttributes(svg);
      expect(Number(nodes.get("J")!["data-value"])).toBe(reference.loss);
      for (const [id, attrs] of nodes) {
        const v = reference.values[id].data;
        const g = reference.grads[id].data;
        const scalar = v.length === 1 && v[0].length === 1;
        const close = (actual: number, expected: number) => expect(Math.abs(actual - expected), `${id}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(expected)));
        close(Number(attrs["data-value"]), scalar ? v[0][0] : norm(v));
        close(Number(attrs["data-grad"]), scalar ? g[0][0] : norm(g));
      }
      expect(svg).toContain("val = 0.57796"); // J, as the box prints it
      // At m = 5 the tensors of 2 to 16 entries show every one, value and gradient: L's gradient is 1/m in each.
      const shown = new Set<string>();
      let node = "";
      let block = "";
      const lossGrads: number[] = [];
      for (const m of svg.matchAll(/<g class="gs-node[^"]*" data-id="(\w+)"|<g class="gs-entries-(value|grad)"|<text class="gs-entry" data-index="(\d+)" data-full="([^"]*)"/g)) {
        if (m[1]) node = m[1];
        else if (m[2]) block = m[2];
        else {
          shown.add(node);
          if (node === "L" && block === "grad") lossGrads.push(Number(m[4]));
          const rows = (block === "value" ? reference.values : reference.grads)[node].data;
          const cols = rows[0].length;
          const i = Number(m[3]);
          expect(Math.abs(Number(m[4]) - rows[Math.floor(i / cols)][i % cols]), `${node} ${block}[${i}]`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(rows[Math.floor(i / cols)][i % cols])));
        }
      }
      expect([...shown].sort()).toEqual(["A2", "L", "W1", "W2", "X", "Y", "Z2", "b1"]);
      expect(lossGrads).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes <graph name>.svg in the current directory by default, and refuses what it cannot do with exit 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gradstream-render-"));
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(process.execPath, [join(REPO, "dist/bin/gradstream.js"), ...args], { cwd: dir }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr })),
        );
      expect((await run(["render", join(REPO, "graphs/planar-tanh.yaml")])).code).toBe(0);
      expect(await readdir(dir)).toEqual(["planar-tanh.svg"]);
      const missing = await run(["render", "nowhere.yaml"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("nowhere.yaml: no such file");
      const unwritable = await run(["render", join(REPO, "graphs/planar-tanh.yaml"), "-o", join(dir, "no/such/dir/x.svg")]);
      expect(unwritable.code).toBe(2);
      expect(unwritable.stderr).toContain("cannot write the SVG");
      expect(unwritable.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
