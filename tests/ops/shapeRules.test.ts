/**
 * Each op's shape rule on symbolic shapes (the batch size m as a symbol), and the message it gives when
 * operands do not fit: the text a user reads after "graphs/x.yaml: node Z1: ".
 */
import { describe, expect, it } from "vitest";
import { allOps, getOp } from "../../src/ops/registry.ts";
import type { Shape } from "../../src/ops/op.ts";

const covered = new Set<string>();
const rule = (name: string, ...shapes: Shape[]) => {
  covered.add(name);
  return getOp(name)!.shape(shapes, {});
};

describe("matmul", () => {
  it("[a,k]·[k,m] → [a,m]", () => {
    expect(rule("matmul", [4, 3], [3, "m"])).toEqual([4, "m"]);
    expect(rule("matmul", [1, "m"], ["m", 1])).toEqual([1, 1]);
  });
  it("names both shapes and the inner sizes when they differ", () => {
    expect(rule("matmul", [4, 3], [2, "m"])).toBe("matmul [4,3]·[2,m]: inner sizes 3 and 2 differ");
  });
});

describe("linear", () => {
  it("W [n,k], X [k,m], b [n,1] → [n,m]", () => {
    expect(rule("linear", [4, 2], [2, "m"], [4, 1])).toEqual([4, "m"]);
  });
  it("inner sizes differ", () => {
    expect(rule("linear", [4, 3], [2, "m"], [4, 1])).toBe("linear [4,3]·[2,m]: inner sizes 3 and 2 differ");
  });
  it("b not a column of W's rows", () => {
    expect(rule("linear", [4, 2], [2, "m"], [3, 1])).toBe("linear: b is [3,1], expected a column [4,1]");
    expect(rule("linear", [4, 2], [2, "m"], [4, "m"])).toBe("linear: b is [4,m], expected a column [4,1]");
  });
});

describe.each(["add", "sub", "mul"])("%s", (name) => {
  it("same shapes → that shape", () => {
    expect(rule(name, [3, "m"], [3, "m"])).toEqual([3, "m"]);
    expect(rule(name, [2, 5], [2, 5])).toEqual([2, 5]);
  });
  it("a column [n,1] broadcasts over the samples", () => {
    expect(rule(name, [3, "m"], [3, 1])).toEqual([3, "m"]);
  });
  it("refuses other shapes, and broadcasting of the first operand", () => {
    expect(rule(name, [3, "m"], [2, "m"])).toBe(`${name} [3,m], [2,m]: shapes differ, and the second is not a column [3,1] to broadcast`);
    expect(rule(name, [3, "m"], [3, 4])).toBe(`${name} [3,m], [3,4]: shapes differ, and the second is not a column [3,1] to broadcast`);
    expect(rule(name, [3, 1], [3, "m"])).toBe(`${name} [3,1], [3,m]: shapes differ, and the second is not a column [3,1] to broadcast`);
  });
});

describe.each(["sigmoid", "relu", "tanh", "identity", "leaky_relu", "softmax"])("%s", (name) => {
  it("keeps its operand's shape", () => {
    expect(rule(name, [7, "m"])).toEqual([7, "m"]);
    expect(rule(name, [2, 3])).toEqual([2, 3]);
  });
});

describe.each(["bce", "bce_logits"])("%s (one row of predictions)", (name) => {
  it("[1,m], [1,m] → [1,m]", () => {
    expect(rule(name, [1, "m"], [1, "m"])).toEqual([1, "m"]);
  });
  it("prediction and target of different shapes", () => {
    expect(rule(name, [1, "m"], [2, "m"])).toBe(`${name}: prediction [1,m] and target [2,m] differ in shape`);
    expect(rule(name, [1, "m"], [1, 5])).toBe(`${name}: prediction [1,m] and target [1,5] differ in shape`);
  });
  it("more than one row", () => {
    expect(rule(name, [3, "m"], [3, "m"])).toBe(`${name}: expects one row of predictions [1,m], got [3,m]`);
  });
});

describe.each(["softmax_cross_entropy", "cross_entropy", "mse"])("%s (any number of rows)", (name) => {
  it("[n,m], [n,m] → [1,m]", () => {
    expect(rule(name, [10, "m"], [10, "m"])).toEqual([1, "m"]);
    expect(rule(name, [1, "m"], [1, "m"])).toEqual([1, "m"]);
  });
  it("prediction and target of different shapes", () => {
    expect(rule(name, [10, "m"], [9, "m"])).toBe(`${name}: prediction [10,m] and target [9,m] differ in shape`);
  });
});

describe.each(["mean", "sum"])("%s", (name) => {
  it("reduces over the samples: [n,m] → [n,1]", () => {
    expect(rule(name, [1, "m"])).toEqual([1, 1]);
    expect(rule(name, [4, "m"])).toEqual([4, 1]);
    expect(rule(name, [4, 6])).toEqual([4, 1]);
  });
});

describe("weighted_mean", () => {
  it("reduces over the samples, weighted by one row of weights: [n,m], [1,m] → [n,1]", () => {
    expect(rule("weighted_mean", [1, "m"], [1, "m"])).toEqual([1, 1]);
    expect(rule("weighted_mean", [4, "m"], [1, "m"])).toEqual([4, 1]);
  });
  it("weights of more than one row, or of other samples", () => {
    expect(rule("weighted_mean", [4, "m"], [4, "m"])).toBe("weighted_mean: weights [4,m] must be one row [1,m], one weight per sample");
    expect(rule("weighted_mean", [4, "m"], [1, 3])).toBe("weighted_mean: values [4,m] and weights [1,3] differ in samples (columns)");
  });
});

describe("center_batch", () => {
  it("keeps its operand's shape (it centres each row over the batch)", () => {
    expect(rule("center_batch", [4, "m"])).toEqual([4, "m"]);
  });
});

// Runs after the tests above (vitest runs a file's tests in order): an op added to the registry needs
// its shape rule written down here.
it("every op of the registry has its shape rule tested in this file", () => {
  expect(allOps().map((op) => op.name).filter((name) => !covered.has(name))).toEqual([]);
});

it("every op's arity is its operand list", () => {
  const arity = (name: string) => getOp(name)!.operands.length;
  expect(["matmul", "add", "sub", "mul", "bce", "bce_logits", "softmax_cross_entropy", "cross_entropy", "mse"].map(arity)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2]);
  expect(arity("linear")).toBe(3);
  expect(["sigmoid", "relu", "tanh", "identity", "leaky_relu", "softmax", "mean", "sum"].map(arity)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
});
