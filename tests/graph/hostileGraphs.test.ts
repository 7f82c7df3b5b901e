/**
 * Regression tests for the graph-file gaps of issue 10: each case was accepted silently, blamed the wrong
 * place, printed raw control characters, or needed a second run to show a mistake.
 */
import { describe, expect, it, vi } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { assertFinite } from "../../src/graph/assertFinite.ts";
import { allOps } from "../../src/ops/registry.ts";
import { GradstreamError, formatIssue } from "../../src/errors.ts";
import { tensor } from "../../src/tensor/tensor.ts";
import { VALID_GRAPH as VALID, edit } from "../helpers/tinyGraphs.ts";


/** The issues of a refused file, as printed. */
function printed(text: string, format: "yaml" | "json" = "yaml", file = `g.${format}`): string[] {
  try {
    parseGraph(text, format, file);
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    return (e as GradstreamError).issues.map(formatIssue);
  }
  throw new Error("expected the file to be refused");
}

const lineOf = (text: string, marker: string) => text.split("\n").findIndex((l) => l.includes(marker)) + 1;

describe("a __proto__ key in a node", () => {
  // regression: the schema's copy of the node turned the key into a prototype and the attribute vanished
  it("is refused in YAML, naming the node, the field and the line", () => {
    const text = edit("{ op: sigmoid, in: [Z] }", "{ op: sigmoid, in: [Z], __proto__: { alpha: 1 } }");
    expect(printed(text)).toEqual([`g.yaml: node A: '__proto__' is not allowed as a field: it names an object's prototype, not an attribute (field '__proto__', line ${lineOf(text, "__proto__")})`]);
  });

  it("is refused in JSON, where JSON.parse would make it an own property", () => {
    const graph = parseGraph(VALID, "yaml");
    expect(graph.nodes).toHaveLength(4);
    const json = `{"gradstream":1,"name":"t","inputs":{"X":{"shape":[2,"m"]},"Y":{"shape":[1,"m"]}},"params":{"W":{"shape":[1,2]},"b":{"shape":[1,1]}},
"nodes":{"Z":{"op":"linear","in":["W","X","b"]},"A":{"op":"leaky_relu","in":["Z"],"__proto__":{"alpha":0.5}},"L":{"op":"bce","in":["A","Y"]},"J":{"op":"mean","in":["L"]}},"loss":"J"}`;
    expect(printed(json, "json")).toEqual(["g.json: node A: '__proto__' is not allowed as a field: it names an object's prototype, not an attribute (field '__proto__', line 2)"]);
  });
});

describe("attributes", () => {
  // Every op of the registry that declares no attributes refuses one, and names it.
  it.each(allOps().filter((op) => !op.attrs).map((op) => [op.name]))("%s takes none", (name) => {
    const text = edit("  J: { op: mean, in: [L] }", `  J: { op: mean, in: [L] }\n  Q: { op: ${name}, in: [X], axis: 0 }`);
    const lines = printed(text);
    expect(lines).toContain(`g.yaml: node Q: ${name} takes no attributes, got 'axis' (field 'axis', line 14)`);
  });
});

describe("inits that cannot give finite numbers", () => {
  // regression: uniform [-1e308, 1e308] drew ±Infinity, blamed on node Z reading W (run), or crashed `check`
  it("uniform whose span overflows is refused at the param", () => {
    const text = edit("W: { shape: [1, 2] }", "W: { shape: [1, 2], init: { uniform: [-1e308, 1e308] } }");
    expect(printed(text)).toEqual(["g.yaml: node W: uniform: hi − lo overflows float64; draws from it would be infinite (field 'init.uniform', line 7)"]);
  });

  it("normal with a standard deviation whose draws overflow is refused; the largest allowed gives finite draws", () => {
    const text = edit("W: { shape: [1, 2] }", "W: { shape: [1, 2], init: { normal: 1e308 } }");
    expect(printed(text)).toEqual(["g.yaml: node W: normal: the standard deviation may be at most 1e+307 (larger draws overflow float64) (field 'init.normal', line 7)"]);
    const widest = parseGraph(edit("W: { shape: [1, 2] }", "W: { shape: [1, 2], init: { normal: 1e307 } }"), "yaml");
    expect(widest.params[0].init).toEqual({ normal: 1e307 });
  });

  it("a non-finite param value is blamed on the param, not on the node that reads it", () => {
    const graph = parseGraph(VALID, "yaml", "g.yaml");
    const values = new Map([
      ["W", tensor(1, 2, Float64Array.of(Infinity, 1))],
      ["Z", tensor(1, 1, Float64Array.of(Infinity))],
    ]);
    expect(() => assertFinite(graph, values, "value")).toThrow(/^g\.yaml: node W: its value is Infinity at \[0\]\[0\] \(init \{"normal":0\.01\}\)/);
  });
});

describe("did you mean", () => {
  it("an unknown op names the closest known ones", () => {
    expect(printed(edit("op: sigmoid", "op: sigmod"))[0]).toMatch(/^g\.yaml: node A: unknown op 'sigmod' \(did you mean 'sigmoid'\? known: matmul, /);
    expect(printed(edit("op: sigmoid", "op: Sigmoid"))[0]).toMatch(/did you mean 'sigmoid'\?/);
    expect(printed(edit("op: sigmoid", "op: conv2d"))[0]).toMatch(/unknown op 'conv2d' \(known: /);
  });

  it("an undefined operand names the ids one edit away, but not the node itself", () => {
    expect(printed(edit("in: [A, Y]", "in: [AA, Y]"))).toEqual(["g.yaml: node L: input 'AA' is not defined (did you mean 'A'?) (field 'in[0]', line 12)"]);
    expect(printed(edit("in: [L] }", "in: [Q] }"))).toEqual(["g.yaml: node J: input 'Q' is not defined (field 'in[0]', line 13)"]);
  });
});

describe("a loss that is not a scalar", () => {
  // regression: reported only once the other mistakes were fixed, because a mistake upstream left it unshaped
  it("is reported in the same pass as a mistake upstream of it", () => {
    const text = edit("loss: J", "loss: L", edit("op: sigmoid", "op: sigmod"));
    expect(printed(text)).toEqual([
      expect.stringMatching(/^g\.yaml: node A: unknown op 'sigmod'/),
      "g.yaml: node L: the loss must be a scalar [1,1], 'L' is [1,m] (reduce it over the samples with mean) (field 'loss', line 14)",
    ]);
  });

  it("is not reported when what the mistake hides could make it a scalar", () => {
    // J = mean(L) is [1,1] whatever A is; and a loss behind an unknown op could be anything
    expect(printed(edit("op: sigmoid", "op: sigmod"))).toHaveLength(1);
    expect(printed(edit("J: { op: mean, in: [L] }", "J: { op: meen, in: [L] }"))).toHaveLength(1);
  });
});

describe("warnings: what cannot matter to the loss", () => {
  it("an unused param, a param and a node off the loss's path; the file still loads", () => {
    const text = edit("params:", "params:\n  U: { shape: [2, 2] }", edit("  J: { op: mean, in: [L] }", "  J: { op: mean, in: [L] }\n  D1: { op: relu, in: [Z] }\n  D2: { op: mul, in: [D1, V] }\n  D3: { op: relu, in: [D2] }", edit("b: { shape: [1, 1], init: zeros }", "b: { shape: [1, 1], init: zeros }\n  V: { shape: [1, 1] }")));
    const graph = parseGraph(text, "yaml", "g.yaml");
    expect(graph.warnings!.map(formatIssue)).toEqual([
      `g.yaml: node U: warning: param 'U' is not read by any node: its gradient is 0 and training leaves it as initialised (line ${lineOf(text, "U: {")})`,
      `g.yaml: node V: warning: param 'V' does not reach the loss 'J': its gradient is 0 and training leaves it as initialised (line ${lineOf(text, "V: {")})`,
      `g.yaml: node D3: warning: node 'D3' does not reach the loss 'J': it is computed, but changes neither the loss nor any gradient (line ${lineOf(text, "D3: {")})`,
    ]);
  });

  it("past 20, the rest are counted", () => {
    const dead = Array.from({ length: 25 }, (_, i) => `  D${i}: { op: relu, in: [Z] }`).join("\n");
    const graph = parseGraph(edit("  J: { op: mean, in: [L] }", `  J: { op: mean, in: [L] }\n${dead}`), "yaml", "g.yaml");
    expect(graph.warnings).toHaveLength(21);
    expect(formatIssue(graph.warnings![20])).toBe("g.yaml: warning: 5 more inputs, params or nodes that do not reach the loss 'J'");
  });

  it("no shipped graph has any", () => {
    const dir = join(import.meta.dirname, "../../graphs");
    for (const f of readdirSync(dir)) expect(parseGraph(readFileSync(join(dir, f), "utf8"), "yaml", f).warnings, f).toEqual([]);
  });
});

describe("a mapping key that is a collection", () => {
  // regression (found by the fuzz suite): yaml stringified it and printed a Node process warning, naming no file
  it("is refused with its line, and no process warning is printed", () => {
    const warn = vi.spyOn(process, "emitWarning");
    try {
      expect(printed(edit("  X: { shape: [2, m] }", "  ? [3, m]\n  : { shape: [2, m] }"))).toEqual(["g.yaml: a mapping key must be a name, not a list or a mapping (line 4)"]);
      expect(printed(edit("  X: { shape: [2, m] }", "  { [a]: 1 }: { shape: [2, m] }"))).toEqual(["g.yaml: a mapping key must be a name, not a list or a mapping (line 4)"]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe("nesting", () => {
  // regression: composing a document recursed per level: 1000 levels gave "Maximum call stack size exceeded"
  // as a syntax error, and in a process whose stack was already deep, V8 aborted compiling a regex there
  it.each([
    ["flow sequences", "yaml", (d: number) => `${VALID}deep: ${"[".repeat(d)}1${"]".repeat(d)}\n`, 15],
    ["compact block sequences", "yaml", (d: number) => `${VALID}deep:\n  ${"- ".repeat(d)}x\n`, 16],
    ["flow mappings in JSON", "json", (d: number) => `{"gradstream": 1,\n"deep": ${'{"a": '.repeat(d)}1${"}".repeat(d)}}`, 2],
  ] as const)("%s: 65 levels and more are refused before the document is built, with the line", (_, format, nested, line) => {
    for (const depth of [65, 1000, 100_000]) {
      expect(printed(nested(depth), format)).toEqual([`g.${format}: not valid ${format === "json" ? "JSON" : "YAML"}: nested more than 64 levels deep (line ${line})`]);
    }
    // 63 levels under the top-level mapping: read, and refused only as an unknown field
    expect(printed(nested(63), format).join("\n")).toMatch(/unknown field 'deep'/);
  });
});

describe("text from the file in messages", () => {
  // regression: ESC, BEL and U+202E from the file reached the terminal raw
  it("control and bidi characters are escaped", () => {
    const [line] = printed(edit("op: sigmoid", 'op: "sig\\e]0;pwned\\a\\e[2J\\u202emoid"'));
    expect(line).toMatch(/^g\.yaml: node A: unknown op 'sig\\x1b]0;pwned\\x07\\x1b\[2J\\u202emoid' \(known: /);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  // regression (found by the fuzz suite): the count line after the first 50 issues printed the file name raw
  it("the file name is escaped on every line, the count line after 50 issues included", () => {
    const many = Array.from({ length: 60 }, (_, i) => `  N${i}: { op: relu, in: [Q${i}] }`).join("\n");
    let message = "";
    try {
      parseGraph(edit("  J: { op: mean, in: [L] }", `  J: { op: mean, in: [L] }\n${many}`), "yaml", "x\u202ey.yaml");
    } catch (e) {
      message = (e as GradstreamError).message;
    }
    const lines = message.split("\n");
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toBe("x\\u202ey.yaml: … and 10 more issues (60 in all; fix these first)");
    expect(message).not.toMatch(/\u202e/);
  });

  // regression: one error line could be 100+ KB (an unknown op of that length was echoed whole)
  it("a 100 KB name makes a line of at most about 1 KB", () => {
    const [line] = printed(edit("op: sigmoid", `op: ${"x".repeat(100_000)}`));
    expect(line.length).toBeLessThan(1200);
    expect(line).toMatch(/^g\.yaml: node A: unknown op 'x{900,}… \(\d+ more characters\) \(field 'op', line 11\)$/);
  });
});
