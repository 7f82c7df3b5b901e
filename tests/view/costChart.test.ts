/**
 * The explorer's cost record and chart (web/costHistory.ts, web/costChart.ts), read as text: marks at
 * loads and resets only, the curve broken into one polyline per stretch between marks, x increasing with
 * the update and y an affine, decreasing function of the cost, the test cost as its own line, the axes'
 * titles, and only the latest updates kept.
 */
import { describe, expect, it } from "vitest";
import { createCostHistory } from "../../web/costHistory.ts";
import { costChartSvg } from "../../web/costChart.ts";
import { xmlProblems } from "../train/xmlProblems.ts";

const points = (svg: string, cls: string) => [...svg.matchAll(new RegExp(`<polyline class="${cls}" points="([^"]*)"`, "g"))].map((m) => m[1].split(" ").map((p) => p.split(",").map(Number)));

describe("cost history", () => {
  it("records every update, marks loads and resets only, and keeps test costs in update order", () => {
    const h = createCostHistory();
    h.record(0, 0.7, { kind: "start", label: "start" });
    h.record(1, 0.6, { kind: "step", label: "step" });
    h.record(2, 0.65, { kind: "edit", label: "X[0][0]" });
    h.record(3, 0.8, { kind: "load", label: "m = 7" });
    h.record(4, 0.7, { kind: "reset", label: "reset" });
    h.recordTest(1, 0.62);
    h.recordTest(1, 0.5); // the same update again: kept once
    h.recordTest(4, 0.71);
    expect(h.updates).toEqual([0, 1, 2, 3, 4]);
    expect(h.train).toEqual([0.7, 0.6, 0.65, 0.8, 0.7]);
    expect(h.marks).toEqual([{ update: 3, label: "m = 7" }, { update: 4, label: "reset" }]);
    expect(h.test).toEqual([{ update: 1, cost: 0.62 }, { update: 4, cost: 0.71 }]);
  });

  it("keeps only the latest updates past its limit, with their marks and test costs", () => {
    const h = createCostHistory(10);
    for (let u = 0; u < 25; u++) {
      h.record(u, 1 / (u + 1), { kind: u === 3 || u === 20 ? "load" : "step", label: `at ${u}` });
      h.recordTest(u, 2 / (u + 1));
    }
    expect(h.updates.length).toBeLessThanOrEqual(10);
    expect(h.updates.at(-1)).toBe(24);
    expect(h.updates).toEqual(Array.from({ length: h.updates.length }, (_, i) => 25 - h.updates.length + i));
    expect(h.marks).toEqual([{ update: 20, label: "at 20" }]);
    expect(h.test.every((t) => t.update >= h.updates[0])).toBe(true);
  });
});

describe("cost chart", () => {
  it("draws each stretch between marks as its own line, on axes titled update and cost", () => {
    const h = createCostHistory();
    const costs: number[] = [];
    for (let u = 0; u < 60; u++) {
      const cost = u < 30 ? 0.7 * Math.exp(-u / 10) + 0.1 : 0.9 * Math.exp(-(u - 30) / 8) + 0.05;
      costs.push(cost);
      h.record(u, cost, { kind: u === 30 ? "load" : u === 0 ? "start" : "step", label: u === 30 ? "moons" : "" });
      if (u % 5 === 0) h.recordTest(u, cost + 0.05);
    }
    const svg = costChartSvg(h, { width: 380, height: 210 }, "J");
    expect(xmlProblems(`<svg>${svg}</svg>`)).toEqual([]);
    const lines = points(svg, "train");
    expect(lines.map((l) => l.length)).toEqual([30, 30]);
    const all = lines.flat();
    for (let i = 1; i < all.length; i++) expect(all[i][0]).toBeGreaterThan(all[i - 1][0]);
    const slope = (all[59][1] - all[0][1]) / (costs[59] - costs[0]);
    expect(slope).toBeLessThan(0);
    for (let i = 0; i < 60; i++) expect(Math.abs(all[0][1] + slope * (costs[i] - costs[0]) - all[i][1])).toBeLessThan(0.02);
    // The mark sits at update 30's x, and names the load.
    const mark = /<g class="mark" data-update="30"><line x1="([^"]*)"/.exec(svg)!;
    expect(Number(mark[1])).toBeCloseTo(lines[1][0][0], 2);
    expect(svg).toContain(">moons</text>");
    expect(points(svg, "test")[0]).toHaveLength(12);
    expect(svg).toContain(">update</text>");
    expect(svg).toContain(">cost J</text>");
    expect(svg).toContain(">test J</text>");
  });

  it("thins a long run to a few points per pixel, and has no test line without a test set", () => {
    const h = createCostHistory();
    for (let u = 0; u < 20_000; u++) h.record(u, 1 / (1 + u) + (u % 2 ? 0.01 : 0), { kind: u ? "step" : "start", label: "" });
    const svg = costChartSvg(h, { width: 380, height: 210 }, "J");
    const line = points(svg, "train")[0];
    expect(line.length).toBeLessThanOrEqual(2 * 302);
    expect(line.length).toBeGreaterThan(302);
    expect(svg).not.toContain('class="test"');
    expect(svg).not.toContain("test J");
  });
});
