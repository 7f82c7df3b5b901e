import { describe, expect, it } from "vitest";
import { diagnoseScale } from "../../src/verify/scaleDiagnosis.ts";
import { relativeDifference } from "../../src/verify/relativeDifference.ts";

const v = (...xs: number[]) => Float64Array.from(xs);

describe("relativeDifference", () => {
  it("is the course's ‖a − b‖ / (‖a‖ + ‖b‖)", () => {
    expect(relativeDifference(v(3, 4), v(0, 0))).toBe(1);
    expect(relativeDifference(v(1, 1), v(1, 1))).toBe(0);
    expect(relativeDifference(v(0, 0), v(0, 0))).toBe(0);
    expect(relativeDifference(v(2), v(1))).toBeCloseTo(1 / 3, 15);
  });
});

describe("diagnoseScale", () => {
  const ref = v(0.3, -1.2, 2.5, 0.01);
  it("recognises 1/m, m and other powers of the factor", () => {
    expect(diagnoseScale(ref.map((x) => x / 5), ref, 5)).toMatchObject({ pure: true, power: -1 });
    expect(diagnoseScale(ref.map((x) => x * 5), ref, 5)).toMatchObject({ pure: true, power: 1 });
    expect(diagnoseScale(ref.map((x) => x / 25), ref, 5)).toMatchObject({ pure: true, power: -2 });
    expect(diagnoseScale(ref, ref, 5)).toMatchObject({ ratio: 1, pure: true, power: 0 });
  });
  it("calls a scale that is no power of m, or no scale at all, by no power", () => {
    expect(diagnoseScale(ref.map((x) => x * 3), ref, 5).power).toBeUndefined();
    const bent = diagnoseScale(v(0.3, -1.2, 2.5, 5), ref, 5);
    expect(bent.pure).toBe(false);
    expect(bent.power).toBeUndefined();
  });
  it("has no ratio against a zero reference, and no power at factor 1 (m = 1 cannot tell)", () => {
    expect(diagnoseScale(ref, v(0, 0, 0, 0), 2).ratio).toBeNaN();
    expect(diagnoseScale(ref, ref, 1).power).toBeUndefined();
  });
});
