/**
 * CSV files are read record by record (issue 10). The scanner is checked against csv-parse (the library it
 * replaced, kept as the reference) on random CSV texts cut into random pieces; headers with an empty or a
 * repeated name are refused rather than guessed at; a CSV whose one-hot targets would pass the per-tensor
 * limit is refused while it is read; `grad --data file.csv` says what to do instead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { csvScanner } from "../../src/datasets/csvScanner.ts";
import { csvToLabelledSet } from "../../src/datasets/csvToLabelledSet.ts";
import { loadCsv } from "../../src/node/loadCsv.ts";
import { GradstreamError } from "../../src/errors.ts";
import { toRows } from "../../src/tensor/tensor.ts";
import { runCliMeasured } from "../helpers/runCliMeasured.ts";

type Records = { line: number; fields: string[] }[] | "refused";

/** The scanner's records for `text` fed in pieces cut at `cuts` (character offsets). */
function scanned(text: string, cuts: number[]): Records {
  const out: { line: number; fields: string[] }[] = [];
  try {
    const csv = csvScanner((fields, line) => out.push({ line, fields }));
    let at = 0;
    for (const cut of [...cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b), text.length]) {
      csv.write(text.slice(at, Math.max(at, cut)));
      at = Math.max(at, cut);
    }
    csv.end();
    return out;
  } catch (e) {
    if (e instanceof GradstreamError) return "refused";
    throw e;
  }
}

/**
 * csv-parse's records, with the line each starts on (it reports the line a record ends on).
 */
function reference(text: string): Records {
  try {
    const rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, record_delimiter: ["\r\n", "\n", "\r"] }) as unknown as { record: string[]; info: { lines: number } }[];
    return rows.map(({ record, info }) => ({ line: info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0), fields: record }));
  } catch {
    return "refused";
  }
}

// Fields that exercise the grammar: plain, empty, quoted with commas, doubled quotes and line breaks, and
// now and then a stray quote; records ended by LF, CRLF or CR; blank lines; a byte-order mark.
const plain = fc.stringMatching(/^[a-z0-9 .+-]{0,4}$/);
const quoted = fc.array(fc.constantFrom("a", ",", '""', "\n", "\r\n", " ", "1"), { maxLength: 5 }).map((parts) => `"${parts.join("")}"`);
const stray = fc.constantFrom('a"b', '"a"b', '"open');
const field = fc.oneof({ weight: 8, arbitrary: plain }, { weight: 3, arbitrary: quoted }, { weight: 1, arbitrary: stray });
const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((f) => f.join(","));
const csvText = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(record, fc.constantFrom("\n", "\r\n", "\r", "\n\n")), { maxLength: 6 }), fc.boolean())
  .map(([bom, records, trailing]) => (bom ? "\ufeff" : "") + records.map(([r, end], i) => r + (i < records.length - 1 || trailing ? end : "")).join(""));
const cuts = fc.array(fc.nat(), { maxLength: 5 });

describe("the scanner agrees with csv-parse", () => {
  it("on records, fields and lines, or on refusing, however the text is cut (fast-check)", () => {
    fc.assert(
      fc.property(csvText, cuts, (text, at) => {
        const expected = reference(text);
        const got = scanned(text, at);
        // csv-parse counts a CR inside quotes as a line of its own (a CRLF as two) from there on: where one
        // occurs its lines are off, so only the fields are compared.
        const crInside = expected !== "refused" && expected.some((r) => r.fields.some((f) => f.includes("\r")));
        if (crInside && got !== "refused") expect(got.map((r) => r.fields)).toEqual(expected.map((r) => r.fields));
        else expect(got).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("the property can fail: a scanner that reads CRLF inside quotes as LF is caught", () => {
    const result = fc.check(fc.property(csvText, (text) => JSON.stringify(scanned(text.replace(/\r\n/g, "\n"), [])) === JSON.stringify(reference(text))), { numRuns: 500, seed: 3 });
    expect(result.failed).toBe(true);
  });

  it("a record of 16 MiB without an end (an unclosed quote in a big file) is refused at its line", () => {
    expect(() => scanned(`a,b\n1,"${"x".repeat(2 ** 24)}`, [2 ** 20])).not.toThrow();
    expect(scanned(`a,b\n1,"${"x".repeat(2 ** 24)}`, [2 ** 20])).toBe("refused");
  });
});

describe("headers", () => {
  const error = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as GradstreamError).message;
    }
    throw new Error("expected an error");
  };
  it("a repeated column name is refused: the label column would be a guess (it picked the wrong one)", () => {
    expect(error(() => csvToLabelledSet("y,x,y\n1,2,0\n", "d.csv"))).toBe("d.csv: columns 1 and 3 are both named 'y'; column names must differ (line 1)");
    expect(error(() => csvToLabelledSet("a , b,a\n1,2,0\n", "d.csv", { label: "b" }))).toBe("d.csv: columns 1 and 3 are both named 'a'; column names must differ (line 1)");
  });
  it("an empty column name is refused, with what usually causes it", () => {
    expect(error(() => csvToLabelledSet(",x,label\n0,1,a\n", "d.csv"))).toBe("d.csv: column 1 of the header has no name; every column needs one (a CSV written with an unnamed index column? write it without the index) (line 1)");
  });
  it("labels that start as numbers and turn out to be names: every label a class name", () => {
    const set = csvToLabelledSet("x,y\n1,0\n2,cat\n3,0\n", "d.csv");
    expect(set.classNames).toEqual(["0", "cat"]);
    expect(Array.from(set.labels)).toEqual([0, 1, 0]);
    expect(toRows(set.X)).toEqual([[1, 2, 3]]);
  });
});

describe("big CSVs (regressions)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gradstream-csv-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("10 000 classes: the one-hot targets (10⁸ elements) are refused while the file is read, before any is made", async () => {
    const graphPath = join(dir, "k10000.yaml");
    await writeFile(graphPath, "gradstream: 1\nname: k10000\ninputs:\n  X: { shape: [1, m] }\n  Y: { shape: [10000, m] }\nparams:\n  W: { shape: [10000, 1] }\n  b: { shape: [10000, 1], init: zeros }\nnodes:\n  Z: { op: linear, in: [W, X, b] }\n  L: { op: softmax_cross_entropy, in: [Z, Y] }\n  J: { op: mean, in: [L] }\nloss: J\n");
    const csvPath = join(dir, "k10000.csv");
    await writeFile(csvPath, "x,label\n" + Array.from({ length: 10_000 }, (_, i) => `${i / 10_000},${i}\n`).join(""));
    const r = await runCliMeasured(["train", graphPath, "--data", csvPath]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").slice(0, 2)).toEqual([
      `${graphPath}: train would hold at least 2.44 GiB of tensors at m ≥ 4096 (from ${csvPath}), over the memory budget of 1 GiB (raise it with --max-memory, or use a smaller graph or m); the largest:`,
      `${graphPath}: node Y: value [10000,4096] (twice while a transaction runs): 625 MiB`,
    ]);
    expect(r.peakMB).toBeLessThan(200);
    // With budget to spare, the per-tensor limit still refuses it, at the next check of m.
    const big = await runCliMeasured(["train", graphPath, "--data", csvPath, "--max-memory", "64G"]);
    expect(big.code).toBe(2);
    expect(big.stderr.trim().split("\n")).toEqual(["Y", "Z"].map((id) => `${graphPath}: node ${id}: value [10000,8192] at m ≥ 8192 (from ${csvPath}) has 81920000 elements, over the limit of 67108864 (2^26) per tensor`));
    expect(big.peakMB).toBeLessThan(200);
  });

  it("a CSV past the memory it may take is refused while read, naming the budget", async () => {
    const csvPath = join(dir, "wide.csv");
    await writeFile(csvPath, "a,b,c,label\n" + "0.25,0.5,0.75,1\n".repeat(20_000));
    await expect(loadCsv(csvPath, { maxMemory: 2 ** 19 })).rejects.toThrow(new RegExp(`^${csvPath}: more than \\d+ samples of 4 columns would take more than the memory budget of 512 KiB$`));
    expect((await loadCsv(csvPath)).X.shape).toEqual([3, 20_000]);
  });

  it("grad --data file.csv says a CSV is for train, and how to make a data file of it (it said 'not valid JSON')", async () => {
    const csvPath = join(dir, "planar.csv");
    await writeFile(csvPath, "x1,x2,y\n0.5,1,0\n");
    const r = await runCliMeasured(["grad", "graphs/planar-tanh.yaml", "--data", csvPath]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${csvPath}: a CSV is training data: 'gradstream train <graph> --data file.csv [--label column]' reads it; this command reads a JSON data file { "inputs": { "X": [[…], …], "Y": [[…]] } }. To make one from the CSV: gradstream train <graph> --data file.csv --iterations 1 --out data.json (it holds the CSV's features and labels as the graph's inputs, and the params after one step)`,
    );
  });
});
