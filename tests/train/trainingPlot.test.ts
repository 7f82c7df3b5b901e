/**
 * The training plot is well-formed XML with one <svg> root, holds the loss curve as a polyline whose
 * points follow the costs (x increasing with the step, y an affine, decreasing function of the cost),
 * draws the decision regions and every sample for a 2-D classifier, escapes user text, stays small for
 * long runs, and is the same bytes for the same run.
 */
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { initParams } from "../../src/data/initParams.ts";
import { generateDataset } from "../../src/datasets/generateDataset.ts";
import { decisionGrid } from "../../src/train/decisionGrid.ts";
import { trainingPlotSvg } from "../../src/train/trainingPlotSvg.ts";
import { decisionArea } from "../../src/train/decisionBoundaryPanel.ts";
import { xmlProblems } from "./xmlProblems.ts";

const polylinePoints = (svg: string) => {
  const m = /<polyline class="loss-curve" points="([^"]*)"/.exec(svg);
  return m ? m[1].split(" ").map((p) => p.split(",").map(Number)) : [];
};

describe("trainingPlotSvg", () => {
  it("the well-formedness check itself catches broken XML", () => {
    expect(xmlProblems("<svg><g></svg>")).not.toEqual([]);
    expect(xmlProblems('<svg><text a="1" a="2">x</text></svg>')).not.toEqual([]);
    expect(xmlProblems("<svg><text>a & b</text></svg>")).not.toEqual([]);
    expect(xmlProblems("<svg/><svg/>")).not.toEqual([]);
    expect(xmlProblems('<svg a="1"><text>a &amp; b</text></svg>')).toEqual([]);
  });

  it("is well-formed and holds the loss curve", () => {
    const losses = Array.from({ length: 50 }, (_, i) => 0.7 * Math.exp(-i / 10) + 0.1);
    const svg = trainingPlotSvg({ title: `a <b> & "c"`, losses, yTitle: "cost J" });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("a &lt;b&gt; &amp; &quot;c&quot;");
    const points = polylinePoints(svg);
    expect(points).toHaveLength(50);
    for (let i = 1; i < points.length; i++) expect(points[i][0]).toBeGreaterThan(points[i - 1][0]);
    // y is an affine function of the cost, higher cost higher up (smaller y): the slope between any two
    // points is the same negative number (up to the 0.01 px rounding of the coordinates).
    const slope = (points[49][1] - points[0][1]) / (losses[49] - losses[0]);
    expect(slope).toBeLessThan(0);
    for (let i = 1; i < 49; i++) expect(Math.abs(points[0][1] + slope * (losses[i] - losses[0]) - points[i][1])).toBeLessThan(0.02);
    expect(svg).not.toContain("decision-area");
  });

  it("thins long runs to a few points per pixel, keeping each bucket's extremes", () => {
    const losses = Array.from({ length: 100_000 }, (_, i) => 1 / (1 + i) + (i % 2 ? 0.01 : 0));
    const svg = trainingPlotSvg({ title: "long", losses, yTitle: "cost" });
    expect(xmlProblems(svg)).toEqual([]);
    const points = polylinePoints(svg);
    expect(points.length).toBeLessThanOrEqual(2 * 640);
    expect(points.length).toBeGreaterThan(640);
    expect(svg.length).toBeLessThan(60_000);
  });

  it("draws the decision regions and every sample for a 2-D classifier, deterministically", async () => {
    const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));
    const set = generateDataset("moons", { m: 60, seed: 1 });
    const params = Object.fromEntries(initParams(graph, 3));
    const grid = decisionGrid(graph, params, set.X, 40)!;
    expect(grid.classes).toHaveLength(1600);
    const truth = Int32Array.from(set.labels);
    const plot = { title: "moons", losses: [0.7, 0.5, 0.4], yTitle: "cost J", boundary: { grid, X: set.X, truth, classNames: ["class 0", "class 1"] } };
    const svg = trainingPlotSvg(plot);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain('<g class="decision-area"');
    const start = svg.indexOf('<g class="samples">');
    const samples = svg.slice(start, svg.indexOf("</g>", start));
    expect(samples.match(/<circle /g)).toHaveLength(60);
    expect(trainingPlotSvg(plot)).toBe(svg);
  });

  it("tiles the decision area exactly: neighbouring cells share their edges (regression: hairline gaps between rows)", async () => {
    const graph = await loadGraph(fileURLToPath(new URL("../../graphs/planar-tanh.yaml", import.meta.url)));
    const set = generateDataset("flower", { m: 80, seed: 2 });
    const grid = decisionGrid(graph, Object.fromEntries(initParams(graph, 5)), set.X, 160)!;
    const box = { x: 80.5, y: 70, width: 380, height: 380 };
    const rects = [...decisionArea(grid, box).matchAll(/<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"/g)].map((m) => m.slice(1).map(Number));
    const rows = new Map<number, number[][]>();
    for (const r of rects) rows.set(r[1], [...(rows.get(r[1]) ?? []), r]);
    expect(rows.size).toBe(160);
    const tops = [...rows.keys()].sort((a, b) => a - b);
    expect(tops[0]).toBe(box.y);
    tops.forEach((top, i) => {
      const row = rows.get(top)!.sort((a, b) => a[0] - b[0]);
      const bottom = top + row[0][3];
      for (const r of row) expect(r[3]).toBe(row[0][3]);
      expect(Math.abs(bottom - (i + 1 < tops.length ? tops[i + 1] : box.y + box.height)), `row at ${top}`).toBeLessThan(1e-9);
      expect(row[0][0]).toBe(box.x);
      for (let k = 1; k < row.length; k++) expect(Math.abs(row[k - 1][0] + row[k - 1][2] - row[k][0])).toBeLessThan(1e-9);
      expect(Math.abs(row.at(-1)![0] + row.at(-1)![2] - (box.x + box.width))).toBeLessThan(1e-9);
    });
  });

  it("has no decision boundary for a regression or for inputs that are not 2-D", async () => {
    const reg = await loadGraph(fileURLToPath(new URL("../../graphs/regression-mse.yaml", import.meta.url)));
    const X = { shape: [3, 2] as const, data: new Float64Array(6) };
    expect(decisionGrid(reg, Object.fromEntries(initParams(reg, 1)), X)).toBeUndefined();
  });
});
