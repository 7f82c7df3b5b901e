/**
 * The dataset generators: shapes, class sizes, determinism by seed, and each one's geometry checked
 * against its definition with the noise turned off (points on the rose curve, on the two circles, on the
 * two half circles, in the right quadrants, on the spiral arms).
 */
import { describe, expect, it } from "vitest";
import { DATASET_NAMES, generateDataset } from "../../src/datasets/generateDataset.ts";
import { planarFlower } from "../../src/datasets/planarFlower.ts";
import { moons } from "../../src/datasets/moons.ts";
import { circles } from "../../src/datasets/circles.ts";
import { xor } from "../../src/datasets/xor.ts";
import { spiral } from "../../src/datasets/spiral.ts";
import { linspace } from "../../src/datasets/linspace.ts";
import { GradstreamError } from "../../src/errors.ts";

const point = (X: { data: Float64Array; shape: readonly [number, number] }, j: number) => [X.data[j], X.data[X.shape[1] + j]];
const count = (labels: Float64Array, k: number) => labels.filter((v) => v === k).length;

describe("every generator", () => {
  for (const name of DATASET_NAMES) {
    it(`${name}: [2, m] features, m labels, balanced classes, the same points for the same seed`, () => {
      const a = generateDataset(name, { m: 101, seed: 7 });
      expect(a.X.shape).toEqual([2, 101]);
      expect(a.labels).toHaveLength(101);
      expect(a.classes).toBe(2);
      expect(a.X.data.every(Number.isFinite)).toBe(true);
      if (name !== "xor") expect([count(a.labels, 0), count(a.labels, 1)]).toEqual([51, 50]);
      else expect(Math.abs(count(a.labels, 0) - count(a.labels, 1))).toBeLessThan(30);
      expect(generateDataset(name, { m: 101, seed: 7 })).toEqual(a);
      expect(generateDataset(name, { m: 101, seed: 8 }).X.data).not.toEqual(a.X.data);
    });
  }
  it("unknown names and bad sizes are usage errors naming the choices", () => {
    expect(() => generateDataset("iris")).toThrow(/unknown dataset 'iris': choose one of flower, moons, circles, xor, spiral/);
    expect(() => generateDataset("moons", { m: 1 })).toThrow(GradstreamError);
    expect(() => generateDataset("moons", { noise: -1 })).toThrow(/noise/);
    expect(generateDataset("planar", { m: 10 }).name).toBe("flower");
  });
});

describe("geometry without noise", () => {
  it("flower: r = 4·sin(4t) with t on the course's linspace(j·3.12, (j+1)·3.12)", () => {
    const set = planarFlower({ m: 40, noise: 0 });
    const t = [...linspace(0, 3.12, 20), ...linspace(3.12, 6.24, 20)];
    t.forEach((tj, j) => {
      const r = 4 * Math.sin(4 * tj);
      const [x, y] = point(set.X, j);
      expect(x).toBeCloseTo(r * Math.sin(tj), 12);
      expect(y).toBeCloseTo(r * Math.cos(tj), 12);
      expect(set.labels[j]).toBe(j < 20 ? 0 : 1);
    });
  });
  it("circles: radius 1 for class 0, 0.5 for class 1", () => {
    const set = circles({ m: 30, noise: 0 });
    for (let j = 0; j < 30; j++) expect(Math.hypot(...point(set.X, j))).toBeCloseTo(set.labels[j] === 0 ? 1 : 0.5, 12);
  });
  it("moons: the unit upper half circle, and the lower one centred at (1, 0.5)", () => {
    const set = moons({ m: 30, noise: 0 });
    for (let j = 0; j < 30; j++) {
      const [x, y] = point(set.X, j);
      if (set.labels[j] === 0) expect([Math.hypot(x, y), y >= -1e-12]).toEqual([expect.closeTo(1, 12), true]);
      else expect([Math.hypot(x - 1, y - 0.5), y <= 0.5 + 1e-12]).toEqual([expect.closeTo(1, 12), true]);
    }
  });
  it("xor: class 1 exactly where the coordinates have opposite signs", () => {
    const set = xor({ m: 200, seed: 3 });
    for (let j = 0; j < 200; j++) {
      const [x, y] = point(set.X, j);
      expect(Math.abs(x) <= 1 && Math.abs(y) <= 1).toBe(true);
      expect(set.labels[j]).toBe(x * y < 0 ? 1 : 0);
    }
  });
  it("spiral: K arms, radius from 0 to 1 along each", () => {
    const set = spiral({ m: 30, classes: 3, noise: 0 });
    expect(set.classes).toBe(3);
    expect([0, 1, 2].map((k) => count(set.labels, k))).toEqual([10, 10, 10]);
    const radii = linspace(0, 1, 10);
    for (let j = 0; j < 30; j++) expect(Math.hypot(...point(set.X, j))).toBeCloseTo(radii[j % 10], 12);
    expect(() => spiral({ m: 30, classes: 1 })).toThrow(/from 2 to m classes/);
  });
  it("linspace is numpy's (endpoint included or not)", () => {
    expect(Array.from(linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(linspace(0, 4, 4, false))).toEqual([0, 1, 2, 3]);
    expect(Array.from(linspace(2, 3, 1))).toEqual([2]);
  });
});
