/**
 * One test per kind of mistake in a graph file. Each asserts the issue names the file, the node and the
 * field, and the line, as `formatIssue` prints them ("graphs/x.yaml: node Z2: input 'A9' is not defined
 * (field 'in[0]', line 12)"), and that the error's message carries that line. Then a file with many
 * mistakes gets every one of them in one error.
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { GradstreamError, formatIssue, type ErrorCode, type Issue } from "../../src/errors.ts";
import { VALID_GRAPH as VALID, edit } from "../helpers/tinyGraphs.ts";


/** The 1-based line of the first line containing `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(marker));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function errorOf(text: string, format: "yaml" | "json", file: string): GradstreamError {
  try {
    parseGraph(text, format, file);
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    return e as GradstreamError;
  }
  throw new Error(`expected ${file} to be refused`);
}

interface Expected {
  code?: ErrorCode;
  node?: string;
  field?: string;
  /** A marker on the offending line. */
  at?: string;
  message: RegExp;
}

/** Exactly one issue, placed and worded as expected, printed as formatIssue prints it. */
function expectOneIssue(text: string, expected: Expected, format: "yaml" | "json" = "yaml"): Issue {
  const file = `graphs/bad.${format}`;
  const error = errorOf(text, format, file);
  expect(error.code).toBe(expected.code ?? "GRAPH_INVALID");
  expect(error.issues, formatIssues(error)).toHaveLength(1);
  const [issue] = error.issues;
  expect(issue.file).toBe(file);
  expect(issue.node).toBe(expected.node);
  expect(issue.field).toBe(expected.field);
  expect(issue.message).toMatch(expected.message);
  if (expected.at) expect(issue.line).toBe(lineOf(text, expected.at));
  const printed = formatIssue(issue);
  expect(printed.startsWith(`${file}: ${expected.node ? `node ${expected.node}: ` : ""}`)).toBe(true);
  if (expected.field) expect(printed).toContain(`(field '${expected.field}'`);
  if (issue.line) expect(printed).toMatch(new RegExp(`line ${issue.line}\\)$`));
  expect(error.message).toBe(printed);
  return issue;
}

const formatIssues = (e: GradstreamError) => e.issues.map(formatIssue).join("\n");

it("the valid file loads (every case below breaks it in one place)", () => {
  expect(parseGraph(VALID, "yaml", "graphs/ok.yaml").nodes.map((n) => n.id)).toEqual(["Z", "A", "L", "J"]);
});

describe("syntax", () => {
  // The YAML parser may describe one syntax error in more than one way; each description names the
  // file and a line at or after the mistake.
  it("YAML syntax error: file and line", () => {
    const text = edit("name: tiny", "name: [tiny");
    const error = errorOf(text, "yaml", "graphs/bad.yaml");
    expect(error.code).toBe("GRAPH_SYNTAX");
    for (const issue of error.issues) {
      expect(formatIssue(issue)).toMatch(/^graphs\/bad\.yaml: not valid YAML: .* \(line \d+\)$/);
      expect(issue.line).toBeGreaterThanOrEqual(lineOf(text, "[tiny"));
    }
  });

  it("JSON syntax error: file and line", () => {
    const text = '{\n  "gradstream": 1,\n  "name": "tiny",\n  "inputs": {\n';
    const error = errorOf(text, "json", "graphs/bad.json");
    expect(error.code).toBe("GRAPH_SYNTAX");
    expect(error.issues.length).toBeGreaterThanOrEqual(1);
    for (const issue of error.issues) {
      expect(formatIssue(issue)).toMatch(/^graphs\/bad\.json: not valid JSON: .* \(line \d+\)$/);
      expect(issue.line).toBeGreaterThanOrEqual(4);
    }
  });

  it("duplicate key in YAML: refused, not silently overwritten, at the second key", () => {
    const text = edit("  J: { op: mean, in: [L] }", "  J: { op: mean, in: [L] }\n  Z: { op: relu, in: [X] }");
    expectOneIssue(text, { code: "GRAPH_SYNTAX", message: /duplicate key 'Z'/, at: "op: relu" });
  });

  it("duplicate key in JSON (JSON.parse would keep the last one)", () => {
    const text = '{\n  "gradstream": 1,\n  "name": "a",\n  "name": "b",\n  "inputs": {}, "nodes": {}, "loss": "J"\n}';
    expectOneIssue(text, { code: "GRAPH_SYNTAX", message: /duplicate key 'name'/, at: '"name": "b"' }, "json");
  });

  it("a YAML alias bomb is refused as a syntax error naming the file, not an internal crash (regression)", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]"].join("\n");
    expectOneIssue(bomb, { code: "GRAPH_SYNTAX", message: /alias/i });
  });

  it("a YAML syntax mistake is reported once, not once per parser stage (regression)", () => {
    expectOneIssue("gradstream: 1\nname: [a\n", { code: "GRAPH_SYNTAX", message: /not valid YAML/ });
  });

  it("a file that is not a mapping", () => {
    expectOneIssue("- 1\n- 2\n", { message: /a graph file is a mapping/ });
  });
});

describe("format", () => {
  it("missing version", () => {
    expectOneIssue(edit("gradstream: 1\n", ""), { field: "gradstream", message: /'gradstream: 1' is required/ });
  });

  it("wrong version", () => {
    expectOneIssue(edit("gradstream: 1", "gradstream: 2"), { field: "gradstream", message: /'gradstream: 1' is required/, at: "gradstream: 2" });
  });

  it("missing required field", () => {
    expectOneIssue(edit("name: tiny\n", ""), { field: "name", message: /^'name' is required$/ });
  });

  // regression: the line was that of the enclosing mapping (1), not of the unknown key
  it("unknown top-level field", () => {
    expectOneIssue(edit("name: tiny", "name: tiny\ncolour: red"), { field: "colour", message: /^unknown field 'colour'$/, at: "colour" });
  });

  // regression (this and every entry the schema refuses below): buildGraph crashed with a TypeError
  // on an input, param or node whose entry the schema had refused
  it("unknown field of an input", () => {
    expectOneIssue(edit("X: { shape: [2, m] }", "X: { shape: [2, m], dtype: f32 }"), { node: "X", field: "dtype", message: /^unknown field 'dtype'$/, at: "dtype" });
  });

  it("unknown field of a param", () => {
    expectOneIssue(edit("W: { shape: [1, 2] }", "W: { shape: [1, 2], learn: true }"), { node: "W", field: "learn", message: /^unknown field 'learn'$/, at: "learn" });
  });

  it("node without op", () => {
    expectOneIssue(edit("A: { op: sigmoid, in: [Z] }", "A: { in: [Z] }"), { node: "A", field: "op", message: /^'op' is required$/, at: "A: {" });
  });

  it("bad init", () => {
    expectOneIssue(edit("W: { shape: [1, 2] }", "W: { shape: [1, 2], init: ones }"), { node: "W", field: "init", message: /^init is zeros, he, xavier/, at: "init: ones" });
  });
});

describe("ids", () => {
  it("an id that is not an identifier", () => {
    expectOneIssue(edit("Y: { shape: [1, m] }", "Y: { shape: [1, m] }\n  1bad: { shape: [1, m] }"), { node: "1bad", message: /'1bad' is not a valid id/, at: "1bad" });
  });

  it("the reserved id __proto__ (YAML)", () => {
    expectOneIssue(edit("  J: { op: mean, in: [L] }", "  J: { op: mean, in: [L] }\n  __proto__: { op: relu, in: [Z] }"), { node: "__proto__", message: /'__proto__' is not a valid id/, at: "__proto__" });
  });

  it("the reserved id __proto__ (JSON), which JSON.parse would turn into a prototype", () => {
    const json = JSON.stringify({ gradstream: 1, name: "t", inputs: { X: { shape: [1, "m"] } }, nodes: { J: { op: "mean", in: ["X"] } }, loss: "J" }, null, 2);
    const text = json.replace('"nodes": {', '"nodes": {\n    "__proto__": { "op": "relu", "in": ["X"] },');
    expectOneIssue(text, { node: "__proto__", message: /'__proto__' is not a valid id/, at: '"__proto__"' }, "json");
  });

  it("the reserved id constructor", () => {
    expectOneIssue(edit("Y: { shape: [1, m] }", "Y: { shape: [1, m] }\n  constructor: { shape: [1, m] }"), { node: "constructor", message: /'constructor' is not a valid id/, at: "constructor" });
  });

  it("the same id in two sections", () => {
    expectOneIssue(edit("Y: { shape: [1, m] }", "Y: { shape: [1, m] }\n  W: { shape: [1, m] }"), { node: "W", message: /^id 'W' is already used by input 'W'/, at: "W: { shape: [1, 2] }" });
  });
});

describe("nodes", () => {
  it("unknown op, listing the known ones", () => {
    expectOneIssue(edit("op: sigmoid", "op: sigmoidd"), { node: "A", field: "op", message: /^unknown op 'sigmoidd' \(did you mean 'sigmoid'\? known: matmul, linear, .*sigmoid/, at: "sigmoidd" });
  });

  it("wrong number of inputs", () => {
    expectOneIssue(edit("in: [A, Y]", "in: [A]"), { node: "L", field: "in", message: /^bce takes 2 inputs \(A, Y\), got 1$/, at: "L: {" });
  });

  it("an input that is not defined", () => {
    expectOneIssue(edit("in: [Z] }", "in: [Z9] }"), { node: "A", field: "in[0]", message: /^input 'Z9' is not defined \(did you mean 'Z'\?\)$/, at: "Z9" });
  });

  it("a node that reads itself", () => {
    expectOneIssue(edit("in: [Z] }", "in: [A] }"), { node: "A", field: "in[0]", message: /^node 'A' reads itself$/, at: "A: {" });
  });

  // regression: every node downstream of the cycle reported the same cycle again
  it("a cycle, reported once with its path", () => {
    // Z reads A, A reads Z; L and J downstream are stuck too but lie on no cycle
    const text = edit("in: [W, X, b]", "in: [W, A, b]");
    const error = errorOf(text, "yaml", "graphs/bad.yaml");
    expect(error.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^graphs\/bad\.yaml: node (Z: cycle: Z → A → Z \(field 'in', line 10\)|A: cycle: A → Z → A \(field 'in', line 11\))$/),
    ]);
  });

  it("an attribute of the wrong type", () => {
    expectOneIssue(edit("{ op: sigmoid, in: [Z] }", "{ op: leaky_relu, in: [Z], alpha: fast }"), { node: "A", field: "alpha", message: /^leaky_relu: .*expected number/, at: "alpha" });
  });

  it("an attribute the op does not have", () => {
    expectOneIssue(edit("{ op: sigmoid, in: [Z] }", "{ op: leaky_relu, in: [Z], beta: 1 }"), { node: "A", field: "beta", message: /^leaky_relu has no attribute 'beta'$/, at: "beta" });
  });

  it("an attribute on an op that takes none", () => {
    expectOneIssue(edit("{ op: sigmoid, in: [Z] }", "{ op: sigmoid, in: [Z], alpha: 1 }"), { node: "A", field: "alpha", message: /^sigmoid takes no attributes, got 'alpha'$/, at: "alpha" });
  });
});

describe("dimensions", () => {
  it("a dimension that is not an integer", () => {
    expectOneIssue(edit("X: { shape: [2, m] }", "X: { shape: [2.5, m] }"), { node: "X", field: "shape[0]", message: /positive integer or the batch symbol m/, at: "2.5" });
  });

  it("a dimension of 0", () => {
    expectOneIssue(edit("X: { shape: [2, m] }", "X: { shape: [0, m] }"), { node: "X", field: "shape[0]", message: /positive integer/, at: "[0, m]" });
  });

  it("a symbol other than m", () => {
    expectOneIssue(edit("X: { shape: [2, m] }", "X: { shape: [2, n] }"), { node: "X", field: "shape[1]", message: /positive integer or the batch symbol m/, at: "[2, n]" });
  });

  it("a param with the batch size m", () => {
    expectOneIssue(edit("W: { shape: [1, 2] }", "W: { shape: [1, m] }"), { node: "W", field: "shape[1]", message: /params never contain the batch size m/, at: "W: {" });
  });

  it("a param too large to allocate", () => {
    expectOneIssue(edit("b: { shape: [1, 1], init: zeros }", "b: { shape: [1048576, 1048576], init: zeros }"), { node: "b", field: "shape", message: /^a param may have at most 67108864 elements$/, at: "1048576" });
  });
});

describe("loss", () => {
  it("not defined", () => {
    expectOneIssue(edit("loss: J", "loss: JJ"), { field: "loss", message: /^loss 'JJ' is not defined$/, at: "loss:" });
  });

  it("not a node", () => {
    expectOneIssue(edit("loss: J", "loss: X"), { field: "loss", message: /^loss 'X' is an input; it must be a node$/, at: "loss:" });
    expectOneIssue(edit("loss: J", "loss: W"), { field: "loss", message: /^loss 'W' is a param; it must be a node$/, at: "loss:" });
  });

  it("not a scalar, with the hint to reduce with mean", () => {
    expectOneIssue(edit("loss: J", "loss: L"), { node: "L", field: "loss", message: /^the loss must be a scalar \[1,1\], 'L' is \[1,m\] \(reduce it over the samples with mean\)$/, at: "loss:" });
  });
});

describe("shapes", () => {
  it("matmul inner sizes", () => {
    expectOneIssue(edit("{ op: linear, in: [W, X, b] }", "{ op: matmul, in: [W, Y] }"), { node: "Z", field: "in", message: /^matmul \[1,2\]·\[1,m\]: inner sizes 2 and 1 differ$/, at: "Z: {" });
  });

  it("linear inner sizes", () => {
    expectOneIssue(edit("W: { shape: [1, 2] }", "W: { shape: [1, 3] }"), { node: "Z", field: "in", message: /^linear \[1,3\]·\[2,m\]: inner sizes 3 and 2 differ$/, at: "Z: {" });
  });

  it("linear bias not a column", () => {
    expectOneIssue(edit("b: { shape: [1, 1], init: zeros }", "b: { shape: [2, 1], init: zeros }"), { node: "Z", field: "in", message: /^linear: b is \[2,1\], expected a column \[1,1\]$/, at: "Z: {" });
  });

  it("add of shapes that do not broadcast", () => {
    expectOneIssue(edit("{ op: sigmoid, in: [Z] }", "{ op: add, in: [Z, X] }"), { node: "A", field: "in", message: /^add \[1,m\], \[2,m\]: shapes differ, and the second is not a column \[1,1\] to broadcast$/, at: "A: {" });
  });

  it("loss with prediction and target of different shapes", () => {
    expectOneIssue(edit("in: [A, Y]", "in: [A, X]"), { node: "L", field: "in", message: /^bce: prediction \[1,m\] and target \[2,m\] differ in shape$/, at: "L: {" });
  });
});

describe("a file with many mistakes", () => {
  const text = `gradstream: 1
name: many
colour: red
inputs:
  X: { shape: [2, m] }
  Y: { shape: [1, m] }
params:
  W1: { shape: [4, m] }
  W2: { shape: [1, 3] }
  b2: { shape: [1, 1] }
nodes:
  Z1: { op: matmul, in: [W1, X] }
  A1: { op: tanhh, in: [Z1] }
  Z2: { op: linear, in: [W2, X, b2] }
  A2: { op: sigmoid, in: [Z9] }
  L:  { op: bce, in: [A2] }
  C1: { op: relu, in: [C2] }
  C2: { op: relu, in: [C1] }
  S:  { op: add, in: [X, Y] }
  J:  { op: mean, in: [L] }
loss: Q
`;

  // regression: an unknown top-level field (colour) stopped the checks, hiding every mistake in the nodes
  it("gets every one of them, in file order, each naming file, node and field", () => {
    const error = errorOf(text, "yaml", "graphs/many.yaml");
    const lines = error.issues.map(formatIssue);
    const expected: [RegExp, string][] = [
      [/^graphs\/many\.yaml: unknown field 'colour' \(field 'colour', line 3\)$/, "colour"],
      [/^graphs\/many\.yaml: node W1: a param's dimension is a positive integer .*\(field 'shape\[1\]', line 8\)$/, "W1"],
      [/^graphs\/many\.yaml: node A1: unknown op 'tanhh' .*\(field 'op', line 13\)$/, "A1"],
      [/^graphs\/many\.yaml: node Z2: linear \[1,3\]·\[2,m\]: inner sizes 3 and 2 differ \(field 'in', line 14\)$/, "Z2"],
      [/^graphs\/many\.yaml: node A2: input 'Z9' is not defined \(did you mean 'Z1' or 'Z2'\?\) \(field 'in\[0\]', line 15\)$/, "A2"],
      [/^graphs\/many\.yaml: node L: bce takes 2 inputs \(A, Y\), got 1 \(field 'in', line 16\)$/, "L"],
      [/^graphs\/many\.yaml: node C[12]: cycle: C[12] → C[12] → C[12] \(field 'in', line 1[78]\)$/, "cycle"],
      [/^graphs\/many\.yaml: node S: add \[2,m\], \[1,m\]: shapes differ.* \(field 'in', line 19\)$/, "S"],
      [/^graphs\/many\.yaml: loss 'Q' is not defined \(field 'loss', line 21\)$/, "loss"],
    ];
    for (const [pattern, what] of expected) expect(lines.filter((l) => pattern.test(l)), `${what} in:\n${lines.join("\n")}`).toHaveLength(1);
    expect(lines).toHaveLength(expected.length);
    const order = error.issues.map((i) => i.line ?? 0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(error.message).toBe(lines.join("\n"));
  });
});

describe("loadGraph", () => {
  it("names the file as the user gave it, for YAML and JSON files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gradstream-graph-"));
    try {
      const yamlPath = join(dir, "bad.yaml");
      await writeFile(yamlPath, edit("in: [Z] }", "in: [Z9] }"));
      await expect(loadGraph(yamlPath)).rejects.toThrow(`${yamlPath}: node A: input 'Z9' is not defined (did you mean 'Z'?) (field 'in[0]', line 11)`);
      const jsonPath = join(dir, "bad.json");
      await writeFile(jsonPath, JSON.stringify({ gradstream: 1, name: "t", inputs: { X: { shape: [1, "m"] } }, nodes: { J: { op: "mean", in: ["Q"] } }, loss: "J" }));
      await expect(loadGraph(jsonPath)).rejects.toThrow(`${jsonPath}: node J: input 'Q' is not defined (field 'in[0]', line 1)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a missing file and an unknown extension with a GradstreamError", async () => {
    await expect(loadGraph("graphs/does-not-exist.yaml")).rejects.toMatchObject({ code: "IO", message: "graphs/does-not-exist.yaml: no such file" });
    await expect(loadGraph("README.md")).rejects.toMatchObject({ code: "USAGE", message: "README.md: a graph file ends in .yaml, .yml or .json" });
  });
});
