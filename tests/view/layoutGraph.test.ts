/**
 * The elkjs layout of every shipped graph, checked by its geometry rather than by a picture: every id has
 * a box, every operand an edge labelled with the shape the graph file implies, edges are orthogonal and
 * run left to right into the operand's own port (operand 0 on top), features sit in the first layer and
 * the loss in the last, and the result is plain, JSON-safe, deterministic data. Laid out top to bottom,
 * the same holds turned a quarter (edges run down, operand 0 on the left). With a batch size, boxes of
 * tensors with 2 to 16 entries get room for every entry.
 */
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { allIds } from "../../src/graph/graph.ts";
import { entryGeometry, layoutGraph, layoutKey } from "../../src/view/layoutGraph.ts";
import { entryShapes } from "../../src/view/boxEntries.ts";
import { getOp } from "../../src/ops/registry.ts";
import { REPO } from "../helpers/runCli.ts";

const graphFiles = readdirSync(join(REPO, "graphs")).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe.each(graphFiles)("layout of graphs/%s", (file) => {
  it("has a box for every id and a labelled, orthogonal, left-to-right edge for every operand", async () => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    const layout = await layoutGraph(graph, { values: true });
    const box = new Map(layout.nodes.map((n) => [n.id, n]));
    expect([...box.keys()].sort()).toEqual(allIds(graph).sort());

    const operands = graph.nodes.flatMap((n) => n.in.map((ref, slot) => ({ source: ref, target: n.id, slot })));
    expect(layout.edges).toHaveLength(operands.length);
    for (const { source, target, slot } of operands) {
      const e = layout.edges.find((x) => x.source === source && x.target === target && x.slot === slot)!;
      expect(e, `${source} → ${target}[${slot}]`).toBeDefined();
      // The label is the shape declared or inferred for the source, written rows×cols.
      expect(e.label).toBe(graph.shapes.get(source)!.join("×"));
      for (let i = 1; i < e.points.length; i++) {
        const [a, b] = [e.points[i - 1], e.points[i]];
        expect(a[0] === b[0] || a[1] === b[1], `segment ${i} of ${e.id} is not orthogonal`).toBe(true);
      }
      const [s, t] = [box.get(source)!, box.get(target)!];
      const start = e.points[0];
      const end = e.points[e.points.length - 1];
      expect(start[0]).toBeGreaterThanOrEqual(s.x + s.width);
      expect(end[0]).toBeLessThanOrEqual(t.x);
      expect(t.x).toBeGreaterThan(s.x);
      expect(end[1]).toBeGreaterThan(t.y);
      expect(end[1]).toBeLessThan(t.y + t.height);
    }
  });

  it("keeps operand order top to bottom, features first and the loss last", async () => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    const layout = await layoutGraph(graph);
    for (const node of graph.nodes) {
      const ends = node.in.map((_, slot) => {
        const e = layout.edges.find((x) => x.target === node.id && x.slot === slot)!;
        return e.points[e.points.length - 1][1];
      });
      for (let i = 1; i < ends.length; i++) expect(ends[i], `${node.id}: operand ${i} enters above operand ${i - 1}`).toBeGreaterThan(ends[i - 1]);
    }
    const xs = layout.nodes.map((n) => n.x);
    const lossBox = layout.nodes.find((n) => n.id === graph.loss)!;
    expect(lossBox.isCost).toBe(true);
    expect(lossBox.x).toBe(Math.max(...xs));
    // Features (inputs read by something other than a loss's target slot) enter at the left edge.
    const isTargetUse = (u: { node: string; slot: number }) => u.slot >= 1 && getOp(graph.nodes.find((n) => n.id === u.node)!.op)!.kind === "loss";
    const features = graph.inputs.filter((d) => !(graph.consumers.get(d.id) ?? []).every(isTargetUse));
    expect(features.length).toBeGreaterThan(0);
    // In the first layer: no box lies wholly to its left (boxes of one layer differ in width and are centred).
    const firstLayerEnds = Math.min(...layout.nodes.map((n) => n.x + n.width));
    for (const d of features) expect(layout.nodes.find((n) => n.id === d.id)!.x, d.id).toBeLessThan(firstLayerEnds);
  });

  it("runs top to bottom with direction down: edges go down into the operand's port, operand 0 on the left, the loss lowest", async () => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    const layout = await layoutGraph(graph, { values: true, direction: "down" });
    expect(layout.direction).toBe("down");
    const box = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const node of graph.nodes) {
      const ends = node.in.map((ref, slot) => {
        const e = layout.edges.find((x) => x.target === node.id && x.slot === slot)!;
        const [s, t] = [box.get(ref)!, box.get(node.id)!];
        const [start, end] = [e.points[0], e.points[e.points.length - 1]];
        expect(start[1], `${e.id} leaves its source's bottom`).toBeGreaterThanOrEqual(s.y + s.height);
        expect(end[1], `${e.id} enters its target's top`).toBeLessThanOrEqual(t.y);
        expect(end[0]).toBeGreaterThan(t.x);
        expect(end[0]).toBeLessThan(t.x + t.width);
        for (let i = 1; i < e.points.length; i++) expect(e.points[i - 1][0] === e.points[i][0] || e.points[i - 1][1] === e.points[i][1]).toBe(true);
        return end[0];
      });
      for (let i = 1; i < ends.length; i++) expect(ends[i], `${node.id}: operand ${i} enters left of operand ${i - 1}`).toBeGreaterThan(ends[i - 1]);
    }
    const lossBox = box.get(graph.loss)!;
    expect(lossBox.y).toBe(Math.max(...layout.nodes.map((n) => n.y)));
    // Narrower than it is tall: the point of laying it out down.
    expect(layout.width).toBeLessThan(layout.height);
  });

  it("makes room, at a batch size, for every entry of the tensors with 2 to 16 of them", async () => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    for (const m of [3, 17]) {
      const layout = await layoutGraph(graph, { values: true, m });
      const shown = entryShapes(graph, m);
      expect(Object.fromEntries(layout.nodes.filter((n) => n.entries).map((n) => [n.id, n.entries])), `m = ${m}`).toEqual(shown);
      for (const n of layout.nodes) {
        if (!n.entries) continue;
        const geometry = entryGeometry(n.entries[0], n.entries[1]);
        expect(n.width, `${n.id} at m = ${m}`).toBeGreaterThanOrEqual(geometry.width);
        expect(n.height, `${n.id} at m = ${m}`).toBeGreaterThanOrEqual(geometry.height);
      }
    }
  });

  it("is plain data: deterministic, JSON-safe, with no elkjs internals", async () => {
    const graph = await loadGraph(join(REPO, "graphs", file));
    const a = await layoutGraph(graph, { values: true });
    const b = await layoutGraph(graph, { values: true });
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(JSON.stringify(a)).not.toContain("$H");
  });
});

describe("layout details", () => {
  const text = (name: string, extra = "") => `
gradstream: 1
name: ${name}
inputs: { X: { shape: [3, m] }, Y: { shape: [1, m] } }
params: { W: { shape: [1, 3] }, b: { shape: [1, 1] } }
nodes:
  Z: { op: linear, in: [W, X, b] }
  A: { op: sigmoid, in: [Z] }
  L: { op: bce, in: [A, Y] }
  J: { op: mean, in: [L] }${extra}
loss: J
`;

  it("marks the mean node as where the 1/m enters and kinds each box", async () => {
    const layout = await layoutGraph(parseGraph(text("kinds"), "yaml"));
    const kind = Object.fromEntries(layout.nodes.map((n) => [n.id, n.kind]));
    expect(kind).toEqual({ X: "input", Y: "input", W: "param", b: "param", Z: "op", A: "op", L: "loss", J: "reduction" });
    expect(layout.nodes.filter((n) => n.oneOverM).map((n) => n.id)).toEqual(["J"]);
  });

  it("gives boxes with values room for two more lines", async () => {
    const graph = parseGraph(text("room"), "yaml");
    const plain = await layoutGraph(graph);
    const live = await layoutGraph(graph, { values: true });
    for (const n of plain.nodes) expect(live.nodes.find((x) => x.id === n.id)!.height).toBeGreaterThan(n.height);
    expect(live.withValues).toBe(true);
    expect(plain.withValues).toBe(false);
  });

  it("has a layout key that changes with structure and not with init", async () => {
    const base = layoutKey(parseGraph(text("key"), "yaml"));
    expect(layoutKey(parseGraph(text("key"), "yaml"))).toBe(base);
    expect(layoutKey(parseGraph(text("key").replace("W: { shape: [1, 3] }", "W: { shape: [1, 3], init: zeros }"), "yaml"))).toBe(base);
    expect(layoutKey(parseGraph(text("key").replace("op: sigmoid", "op: tanh"), "yaml"))).not.toBe(base);
    expect(layoutKey(parseGraph(text("key2"), "yaml"))).not.toBe(base);
  });
});
