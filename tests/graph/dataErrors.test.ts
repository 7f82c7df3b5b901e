/**
 * Mistakes in a data file: each is a DATA_INVALID error naming the file, the tensor and the field, and
 * a shape mismatch names the expected and the actual shape. All mistakes of one file come together.
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bindData } from "../../src/data/bindData.ts";
import { loadData } from "../../src/node/loadData.ts";
import { GradstreamError, formatIssue } from "../../src/errors.ts";
import { toRows } from "../../src/tensor/tensor.ts";
import { twoInputsGraph } from "../helpers/tinyGraphs.ts";

const graph = twoInputsGraph();

const X = [[0.1, 0.2, 0.3], [1, 2, 3]];
const Y = [[0, 1, 1]];

/** The formatted issues of a refused data object. */
function issuesOf(raw: unknown): string[] {
  try {
    bindData(raw, graph, 1, "data.json");
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    expect((e as GradstreamError).code).toBe("DATA_INVALID");
    return (e as GradstreamError).issues.map(formatIssue);
  }
  throw new Error("expected the data to be refused");
}

it("valid data binds, with m read from the inputs and absent params drawn from init", () => {
  const { values, m } = bindData({ inputs: { X, Y } }, graph, 1, "data.json");
  expect(m).toBe(3);
  expect(toRows(values.get("X")!)).toEqual(X);
  expect(values.get("W")!.shape).toEqual([1, 2]);
  expect(toRows(values.get("b")!)).toEqual([[0]]);
});

describe("each kind of mistake", () => {
  it("ragged rows", () => {
    expect(issuesOf({ inputs: { X: [[1, 2, 3], [1, 2]], Y } })).toEqual(["data.json: node X: row 1 has 2 entries, row 0 has 3 (ragged) (field 'inputs.X')"]);
  });

  it("a non-numeric entry", () => {
    expect(issuesOf({ inputs: { X: [[1, "a", 3], [1, 2, 3]], Y } })).toEqual([`data.json: node X: entry [0][1] is the string "a", expected a finite number (field 'inputs.X')`]);
    expect(issuesOf({ inputs: { X: [[1, null, 3], [1, 2, 3]], Y } })).toEqual(["data.json: node X: entry [0][1] is null, expected a finite number (field 'inputs.X')"]);
  });

  it("the wrong shape, naming expected and actual", () => {
    expect(issuesOf({ inputs: { X: [[1, 2, 3], [1, 2, 3], [1, 2, 3]], Y } })).toEqual(["data.json: node X: 'X' should be [2,3], got [3,3] (field 'shape')"]);
    expect(issuesOf({ inputs: { X, Y }, params: { W: [[1, 2, 3]] } })).toEqual(["data.json: node W: 'W' should be [1,2], got [1,3] (field 'shape')"]);
  });

  it("an id the graph does not have, or has in the other section", () => {
    expect(issuesOf({ inputs: { X, Y, Q: [[1]] } })).toEqual(["data.json: node Q: 'Q' is not an input of graph two-inputs (field 'inputs.Q')"]);
    expect(issuesOf({ inputs: { X, Y, W: [[1, 2]] } })).toEqual(["data.json: node W: 'W' is a param of the graph, not an input (field 'inputs.W')"]);
  });

  it("m disagreeing across inputs", () => {
    expect(issuesOf({ inputs: { X, Y: [[0, 1]] } })).toEqual(["data.json: node Y: 'Y' has 2 samples (columns), 'X' has 3: m must agree across inputs (field 'shape')"]);
  });

  it("a missing input", () => {
    expect(issuesOf({ inputs: { X } })).toEqual(["data.json: node Y: input 'Y' is missing (field 'inputs.Y')"]);
  });

  it("an unknown top-level field, and a file that is not an object", () => {
    expect(issuesOf({ inputs: { X, Y }, extra: 1 })).toEqual(["data.json: unknown field 'extra' (a data file has inputs and params) (field 'extra')"]);
    expect(issuesOf([X])).toEqual(["data.json: a data file is an object { inputs: {...}, params: {...} }"]);
  });

  it("the id __proto__ is an unknown id, not a prototype", () => {
    expect(issuesOf(JSON.parse(`{"inputs": {"X": ${JSON.stringify(X)}, "Y": ${JSON.stringify(Y)}, "__proto__": [[1]]}}`))).toEqual([
      "data.json: node __proto__: '__proto__' is not an input of graph two-inputs (field 'inputs.__proto__')",
    ]);
  });
});

it("several mistakes come together", () => {
  expect(issuesOf({ inputs: { X: [[1, 2, 3], [1, 2]], Q: [[1]] }, extra: 1 })).toEqual([
    "data.json: unknown field 'extra' (a data file has inputs and params) (field 'extra')",
    "data.json: node X: row 1 has 2 entries, row 0 has 3 (ragged) (field 'inputs.X')",
    "data.json: node Q: 'Q' is not an input of graph two-inputs (field 'inputs.Q')",
    "data.json: node Y: input 'Y' is missing (field 'inputs.Y')",
  ]);
});

it("loadData names the file for invalid JSON and for a missing file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "gradstream-data-"));
  try {
    const path = join(dir, "data.json");
    await writeFile(path, '{ "inputs": { "X": [[1, 2, 3]');
    await expect(loadData(path, graph)).rejects.toMatchObject({ code: "DATA_INVALID", message: expect.stringMatching(new RegExp(`^${path}: not valid JSON: `)) });
    await expect(loadData(join(dir, "none.json"), graph)).rejects.toMatchObject({ code: "IO", message: `${join(dir, "none.json")}: no such file` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe("data files take back what --json prints", () => {
  it("accepts the { shape, data } matrix form and checks its shape against its data", async () => {
    const { fromNested } = await import("../../src/tensor/tensor.ts");
    const t = fromNested({ shape: [2, 2], data: [[1, 2], [3, 4]] });
    expect(typeof t).not.toBe("string");
    expect(Array.from((t as { data: Float64Array }).data)).toEqual([1, 2, 3, 4]);
    expect(fromNested({ shape: [2, 3], data: [[1, 2], [3, 4]] })).toBe("shape says [2,3] but data is [2,2]");
  });
});
