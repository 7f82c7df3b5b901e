/**
 * Data files are streamed into tensors (issue 10). The streamed reader must agree with the checks on a parsed
 * object (`bindData`, which JSON.parse feeds, written before it) on every file, however the bytes are cut
 * into chunks; JSON grammar mistakes are refused with their line; a key repeated in one object is refused; a
 * byte-order mark is accepted; nesting is limited (the 6 000-deep `{ shape, data }` value that overflowed the
 * stack is exit 2); and files that declare or hold too much are refused while their numbers are still being
 * read, the child's peak memory showing nothing big was kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bindData, completeBindings, parseData, type Bindings } from "../../src/data/bindData.ts";
import { dataFileReader } from "../../src/data/dataFileReader.ts";
import { jsonEvents } from "../../src/data/jsonEvents.ts";
import { loadData } from "../../src/node/loadData.ts";
import { GradstreamError, formatIssue } from "../../src/errors.ts";
import { runCliMeasured } from "../helpers/runCliMeasured.ts";
import { twoInputsGraph } from "../helpers/tinyGraphs.ts";

const graph = twoInputsGraph();

/** What binding gives, as comparable text: the tensors exactly, or every issue (lines left out: the object path has none). */
function outcome(bind: () => Bindings): string {
  try {
    const { values, m } = bind();
    return `m=${m} ` + [...values].map(([id, t]) => `${id}[${t.shape}]=${Array.from(t.data).join(",")}`).join(" ");
  } catch (e) {
    if (!(e instanceof GradstreamError)) throw e;
    return `${e.code}: ${e.issues.map((i) => formatIssue({ ...i, line: undefined })).join(" | ")}`;
  }
}

/** The text fed to a reader in the given pieces (byte offsets), as a file arrives in chunks. */
function streamed(text: string, cuts: number[]): Bindings {
  const bytes = new TextEncoder().encode(text);
  const reader = dataFileReader(graph, { file: "data.json" });
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    reader.write(bytes.subarray(at, Math.max(at, cut)));
    at = Math.max(at, cut);
  }
  return completeBindings(reader.end(), graph, 1, "data.json");
}

// Tensors of every kind the checks tell apart: right and wrong shapes, flat rows, scalars, ragged rows,
// non-numbers in every place, the { shape, data } form with right and wrong shapes, and values that are not
// tensors at all.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.string({ maxLength: 3 }), fc.constant({}), fc.constant([]), fc.constant({ a: 1 }));
const row = (n: number) => fc.array(fc.oneof({ weight: 12, arbitrary: finite }, { weight: 1, arbitrary: junk }), { minLength: n, maxLength: n });
const rows = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })).chain(([r, c]) => fc.array(fc.oneof({ weight: 8, arbitrary: row(c) }, { weight: 1, arbitrary: row(c + 1) }, { weight: 1, arbitrary: junk }), { minLength: r, maxLength: r }));
const tensorLike = fc.oneof(
  { weight: 6, arbitrary: rows },
  { weight: 2, arbitrary: fc.array(finite, { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(finite, junk), { minLength: 0, maxLength: 3 }) },
  { weight: 1, arbitrary: finite },
  { weight: 1, arbitrary: junk },
  { weight: 2, arbitrary: rows.chain((d) => fc.record({ shape: fc.oneof(fc.constant([d.length, Array.isArray(d[0]) ? d[0].length : 1]), fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 }))), data: fc.constant(d) })) },
);
const section = (ids: string[]) => fc.dictionary(fc.constantFrom(...ids), tensorLike, { maxKeys: 3 });
const plainFile = fc.record({ inputs: section(["X", "Y", "W", "Q"]), params: section(["W", "b", "X"]), extra: fc.constant(1) }, { requiredKeys: [] });
// A `run`/`grad` --json output, which --data takes too: inputs and params from `values`, the rest ignored.
const outputFile = fc.record(
  { graph: fc.constantFrom("two-inputs", "other"), dims: fc.constant({ m: 3 }), loss: finite, values: fc.oneof(section(["X", "Y", "W", "b", "Z", "Q"]), junk), grads: section(["X", "Z"]), inputs: section(["X"]), stray: fc.constant(1) },
  { requiredKeys: ["values"] },
);
const dataFile = fc.oneof(plainFile, outputFile);
const cuts = fc.array(fc.nat(), { maxLength: 6 });

describe("the streamed reader agrees with the object checks", () => {
  it("on every data file, however its bytes are cut into chunks (fast-check)", () => {
    fc.assert(
      fc.property(dataFile, cuts, fc.constantFrom(0, 1, "\t"), (raw, at, indent) => {
        const text = JSON.stringify(raw, null, indent);
        expect(outcome(() => streamed(text, at))).toBe(outcome(() => bindData(raw, graph, 1, "data.json")));
      }),
      { numRuns: 300 },
    );
  });

  it("the property can fail: a reader fed numbers rounded to 2 decimals is caught", () => {
    const rounded = (raw: unknown) => JSON.stringify(raw, (_k, v) => (typeof v === "number" ? Math.round(v * 100) / 100 : v));
    const result = fc.check(
      fc.property(dataFile, (raw) => outcome(() => streamed(rounded(raw), [])) === outcome(() => bindData(raw, graph, 1, "data.json"))),
      { numRuns: 300, seed: 1 },
    );
    expect(result.failed).toBe(true);
  });

  it("reads back what `grad --json` prints (the { shape, data } form), bit for bit", () => {
    const text = '{"inputs": {"X": {"shape": [2, 3], "data": [[0.1, 0.3333333333333333, -2e-300], [1e300, 5, -0]]}, "Y": {"shape": [1, 3], "data": [[0, 1, 1]]}}}';
    const b = parseData(text, graph, 1, "d.json");
    expect(Array.from(b.values.get("X")!.data)).toEqual([0.1, 1 / 3, -2e-300, 1e300, 5, -0]);
  });
});

describe("JSON mistakes, each refused with its line", () => {
  const cases: [string, string][] = [
    ['{"inputs": {"X": [[1, 2]], "X": [[3, 4]]}}', "duplicate key 'X': a key may appear only once in an object (line 1)"],
    ['{"inputs":\n {"X": [[1 2]]}}', "a ',' or ']' is missing before this value (line 2)"],
    ['{"inputs" {"X": [[1]]}}', "a ':' is missing after the key (line 1)"],
    ['{"inputs": {"X": [[1,]]}}', "unexpected ']' (line 1)"],
    ['{"inputs": {X: [[1]]}}', 'unexpected "X" (line 1)'],
    ['{"inputs": {}}\n\n{}', "more after the end of the document (line 3)"],
    ['{"inputs": {"X": [[1, 2]', "the file ends in the middle of the document (line 1)"],
    ["", "the file ends in the middle of the document (line 1)"],
  ];
  it.each(cases)("%j", (text, message) => {
    expect(() => parseData(text, graph, 1, "d.json")).toThrow(new GradstreamError("DATA_INVALID", { file: "d.json", message: `not valid JSON: ${message.replace(/ \(line \d+\)$/, "")}`, line: Number(/line (\d+)/.exec(message)![1]) }));
  });

  it("a string longer than 64 Ki characters, even cut across chunks", () => {
    const text = `{"inputs": {"X": "${"a".repeat(70_000)}"}}`;
    expect(() => streamed(text, [30_000, 60_000])).toThrow(/not valid JSON: a string longer than 65536 characters/);
  });

  it("a number longer than 1 000 characters, cut across chunks (its digits would be one string)", () => {
    const text = `{"inputs": {"X": [[1${"0".repeat(200_000)}]]}}`;
    expect(() => streamed(text, [10, 100_000])).toThrow(new GradstreamError("DATA_INVALID", { file: "data.json", line: 1, message: "not valid JSON: a number longer than 1000 characters" }));
  });

  it("a byte-order mark is accepted (it was refused), from text and from a file", async () => {
    const text = '\ufeff{"inputs": {"X": [[1], [2]], "Y": [[1]]}}';
    expect(parseData(text, graph, 1, "d.json").m).toBe(1);
    const dir = await mkdtemp(join(tmpdir(), "gradstream-bom-"));
    try {
      await writeFile(join(dir, "d.json"), text);
      expect((await loadData(join(dir, "d.json"), graph)).m).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("jsonEvents sees the events of the document in order, cut anywhere", () => {
    const seen: string[] = [];
    const json = jsonEvents({ openObject: () => seen.push("{"), closeObject: () => seen.push("}"), openArray: () => seen.push("["), closeArray: () => seen.push("]"), key: (k) => seen.push(`${k}:`), scalar: (v) => seen.push(JSON.stringify(v)) });
    const bytes = new TextEncoder().encode('{"a": [1, -2.5e3, "é\\u00e9"], "b": {"c": null, "d": true}}');
    for (let i = 0; i < bytes.length; i += 3) json.write(bytes.subarray(i, i + 3));
    json.end();
    expect(seen.join(" ")).toBe('{ a: [ 1 -2500 "éé" ] b: { c: null d: true } }');
  });
});

describe("nesting is limited, never the call stack (regression: a 6 000-deep { shape, data } was exit 3)", () => {
  const deepMatrix = (depth: number) => `{"inputs": {"Y": [[1]], "X": ${'{"shape": [2, 1], "data": '.repeat(depth)}[[1], [2]]${"}".repeat(depth)}}}`;

  it("streamed: refused at the 65th level, naming the file and line", () => {
    expect(() => parseData(deepMatrix(6000), graph, 1, "d.json")).toThrow(new GradstreamError("DATA_INVALID", { file: "d.json", line: 1, message: "not valid JSON: nested deeper than 64 levels" }));
    expect(() => parseData(`{"inputs": {"X": ${"[".repeat(100_000)}${"]".repeat(100_000)}}}`, graph, 1, "d.json")).toThrow(/nested deeper than 64 levels/);
  });

  it("as an object (bindData): the data of a { shape, data } is nested arrays, so the value is refused without recursing", () => {
    let X: unknown = [[1], [2]];
    for (let i = 0; i < 100_000; i++) X = { shape: [2, 1], data: X };
    expect(outcome(() => bindData({ inputs: { X, Y: [[1]] } }, graph, 1, "d.json"))).toBe("DATA_INVALID: d.json: node X: expected nested arrays of numbers, got an object (field 'inputs.X')");
  });

  it("on the command line: exit 2, no stack trace", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gradstream-deep-"));
    try {
      await writeFile(join(dir, "deep.json"), deepMatrix(6000));
      const r = await runCliMeasured(["grad", "graphs/logistic-regression.yaml", "--data", join(dir, "deep.json")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`${join(dir, "deep.json")}: not valid JSON: nested deeper than 64 levels (line 1)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("files that hold or declare too much: refused while being read (regressions)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gradstream-bigdata-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  /** A file of `size` bytes that starts with `head`; the rest is a hole (zeros the disk does not store). */
  const sparse = async (name: string, head: string, size: number) => {
    const f = await open(join(dir, name), "w");
    await f.write(head);
    await f.truncate(size);
    await f.close();
    return join(dir, name);
  };

  it("a 500 MiB file (V8 aborted reading it): refused as m grows past what one tensor may hold, after 300 KB of it", async () => {
    // mnist-softmax's X is [784, m]: over 2^26 elements once m passes 85 598, seen at the check at m ≥ 131 072
    const path = await sparse("500mib.json", `{"inputs": {"X": [[${"0,".repeat(150_000)}`, 500 * 2 ** 20);
    const r = await runCliMeasured(["run", "graphs/mnist-softmax.yaml", "--data", path]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`graphs/mnist-softmax.yaml: node X: value [784,131072] at m ≥ 131072 (from ${path}) has 102760448 elements, over the limit of 67108864 (2^26) per tensor`);
    expect(r.peakMB).toBeLessThan(200);
  });

  it("a 500 MiB file that declares its shape: refused by the budget before a number of its data is read", async () => {
    const path = await sparse("declared.json", '{"inputs": {"X": {"shape": [784, 80000], "data": [[', 500 * 2 ** 20);
    const r = await runCliMeasured(["grad", "graphs/mnist-softmax.yaml", "--data", path]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^graphs/mnist-softmax\\.yaml: grad would hold at least 1\\.\\d+ GiB of tensors at m ≥ 80000 \\(from ${path.replace(/[.]/g, "\\.")}\\), over the memory budget of 1 GiB`));
    expect(r.stderr).toContain("node X: value [784,80000]: 479 MiB");
    expect(r.peakMB).toBeLessThan(200);
  });

  it("a 134 MB file (it reached 1.9 GB before it was refused): over the per-tensor limit, whatever the budget", async () => {
    const graphPath = join(dir, "one-row.yaml");
    await writeFile(graphPath, "gradstream: 1\nname: one-row\ninputs:\n  X: { shape: [1, m] }\nnodes:\n  J: { op: mean, in: [X] }\nloss: J\n");
    const path = await sparse("134mb.json", `{"inputs": {"X": {"shape": [1, ${2 ** 26 + 1}], "data": [[`, 134_217_772);
    const r = await runCliMeasured(["run", graphPath, "--data", path, "--max-memory", "64G"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${path}: node X: shape [1,67108865] declares 67108865 elements: over the limit of 67108864 (2^26) elements per tensor (field 'inputs.X', line 1)`);
    expect(r.peakMB).toBeLessThan(200);
  });

  it("a tensor that grows past the budget the reader was given: refused naming what it kept", () => {
    const text = JSON.stringify({ inputs: { X: [Array(40_000).fill(0.5), Array(40_000).fill(0.5)], Y: [Array(40_000).fill(1)] } });
    expect(() => parseData(text, graph, 1, "d.json", { maxMemory: 512 * 1024 })).toThrow(/^d\.json: node X: its tensors would take more than the memory budget of 512 KiB; kept: X /);
  });
});
