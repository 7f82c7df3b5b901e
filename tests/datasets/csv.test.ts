/**
 * CSV reading: RFC 4180 quoting (commas, line breaks and doubled quotes inside quotes, CRLF), the label
 * column by name, features transposed into [features, m], labels as numbers or as sorted class names,
 * targets shaped for the loss, and every error naming the file, the line and the column.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseCsv } from "../../src/datasets/parseCsv.ts";
import { csvToLabelledSet } from "../../src/datasets/csvToLabelledSet.ts";
import { loadCsv } from "../../src/node/loadCsv.ts";
import { targetsFor } from "../../src/datasets/targetsFor.ts";
import { GradstreamError } from "../../src/errors.ts";
import { toRows } from "../../src/tensor/tensor.ts";

function errorOf(f: () => unknown): GradstreamError {
  try {
    f();
  } catch (e) {
    if (e instanceof GradstreamError) return e;
    throw e;
  }
  throw new Error("expected a GradstreamError");
}

describe("parseCsv (RFC 4180)", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, CRLF records, and skips blank lines", () => {
    const text = 'x,y,name\r\n1,2,"Smith, J."\n\n3,"4","say ""hi"""\n5,6,"two\nlines"\n7,,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ["x", "y", "name"] },
      { line: 2, fields: ["1", "2", "Smith, J."] },
      { line: 4, fields: ["3", "4", 'say "hi"'] },
      { line: 5, fields: ["5", "6", "two\nlines"] },
      { line: 7, fields: ["7", "", ""] },
    ]);
  });
  it("ignores a byte-order mark and a missing final newline", () => {
    expect(parseCsv("\ufeffa,b\n1,2")).toEqual([{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ["1", "2"] }]);
  });
  it("reports malformed quoting with its line", () => {
    expect(errorOf(() => parseCsv('a,b\n1,"2\n', "d.csv")).message).toBe('d.csv: a quoted field is never closed (a " with no matching ") (line 2)');
    expect(errorOf(() => parseCsv('a,b\n1,"2"x\n', "d.csv")).issues[0]).toMatchObject({ file: "d.csv", line: 2 });
    expect(errorOf(() => parseCsv('a,b\n\n1,2"\n', "d.csv")).issues[0]).toMatchObject({ line: 3 });
  });
});

describe("csvToLabelledSet", () => {
  it("puts features in columns (samples) and reads the label column by name", () => {
    const set = csvToLabelledSet("a,label,b\n1,0,10\n2,1,20\n3,1,30\n", "d.csv", { label: "label" });
    expect(toRows(set.X)).toEqual([[1, 2, 3], [10, 20, 30]]);
    expect(Array.from(set.labels)).toEqual([0, 1, 1]);
    expect(set.classes).toBe(2);
    expect(Array.from(set.source!.lines)).toEqual([2, 3, 4]);
  });
  it("takes the last column as the label by default; named classes are numbered in sorted order", () => {
    const set = csvToLabelledSet("w,h,kind\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n", "iris.csv");
    expect(set.classNames).toEqual(["setosa", "versicolor", "virginica"]);
    expect(Array.from(set.labels)).toEqual([2, 0, 1, 0]);
    expect(toRows(targetsFor(set, 3, "onehot"))).toEqual([[0, 1, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]]);
  });
  it("keeps real-valued labels as regression targets", () => {
    const set = csvToLabelledSet("x,y\n1,0.5\n2,-1.25e1\n", "r.csv");
    expect(set.classes).toBe(0);
    expect(toRows(targetsFor(set, 1, "real"))).toEqual([[0.5, -12.5]]);
  });
  it("names every ragged row and every non-numeric feature with line and column, in one error", () => {
    const e = errorOf(() => csvToLabelledSet("x1,x2,y\n1,2,0\n3,4\n5,abc,1\n,7,0\n0x10,1,1\n1,2,0,9\n", "bad.csv"));
    expect(e.code).toBe("DATA_INVALID");
    expect(e.message.split("\n")).toEqual([
      "bad.csv: 2 fields, the header has 3 (ragged row) (line 3)",
      `bad.csv: column 'x2': "abc" is not a number (field 'x2', line 4)`,
      `bad.csv: column 'x1': "" is not a number (field 'x1', line 5)`,
      `bad.csv: column 'x1': "0x10" is not a number (field 'x1', line 6)`,
      "bad.csv: 4 fields, the header has 3 (ragged row) (line 7)",
    ]);
  });
  it("refuses a missing label column, an empty file, a header without rows, and empty labels", () => {
    expect(errorOf(() => csvToLabelledSet("a,b\n1,2\n", "d.csv", { label: "y" })).message).toBe("d.csv: no column named 'y' for the labels; the columns are 'a', 'b' (line 1)");
    expect(errorOf(() => csvToLabelledSet("", "d.csv")).message).toMatch(/^d\.csv: the file is empty/);
    expect(errorOf(() => csvToLabelledSet("a,b\n", "d.csv")).message).toMatch(/header but no rows/);
    expect(errorOf(() => csvToLabelledSet("a,y\n1,cat\n2,\n", "d.csv")).issues[0]).toMatchObject({ line: 3, field: "y" });
  });
  it("loads from a file, naming it in errors", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gs-csv-"));
    const good = path.join(dir, "good.csv");
    writeFileSync(good, "x,y\n1,1\n2,0\n");
    expect((await loadCsv(good)).X.shape).toEqual([1, 2]);
    await expect(loadCsv(path.join(dir, "missing.csv"))).rejects.toThrow(/missing\.csv: no such file/);
  });
});

describe("targetsFor", () => {
  const set = csvToLabelledSet("x,y\n1,0\n2,2\n3,1\n", "t.csv");
  it("one-hot for a K-row Y, the labels themselves for one row", () => {
    expect(toRows(targetsFor(set, 3, "onehot"))).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expect(toRows(targetsFor(set, 1, "real"))).toEqual([[0, 2, 1]]);
  });
  it("refuses labels a loss cannot take, naming the line", () => {
    expect(errorOf(() => targetsFor(set, 1, "binary")).message).toBe("t.csv: node Y: label 2 is not 0 or 1, as a binary cross-entropy needs (line 3)");
    expect(errorOf(() => targetsFor(set, 2, "onehot")).message).toMatch(/label 2 is not a class index from 0 to 1.*\(line 3\)/);
    const named = csvToLabelledSet("x,y\n1,a\n2,b\n3,c\n", "n.csv");
    expect(errorOf(() => targetsFor(named, 1, "binary")).message).toMatch(/name 3 classes \(a, b, c\) but 'Y' has one row/);
    expect(errorOf(() => targetsFor(named, 4, "onehot")).message).toMatch(/name 3 classes \(a, b, c\) but 'Y' has 4 rows/);
  });
});
