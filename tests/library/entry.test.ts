import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as source from "../../src/index.ts";

const repo = new URL("../../", import.meta.url).pathname;

describe("the package entry for plain Node.js (lib/index.js)", () => {
  it("re-exports every runtime export of src/index.ts", async () => {
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(join(repo, "lib/index.js"), "utf8");
    const listed = [...text.matchAll(/^ {2}([\w$]+),$/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(source).sort());
  });

  it("is importable as `gradstream` from a plain .mjs file (regression: it pointed at a .ts file)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradstream-consumer-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(repo, join(dir, "node_modules", "gradstream"));
    writeFileSync(
      join(dir, "use.mjs"),
      `import { loadGraph, createRuntime, GradstreamError } from "gradstream";
const g = await loadGraph(${JSON.stringify(join(repo, "graphs/planar-tanh.yaml"))});
const rt = createRuntime(g);
rt.value$("J").subscribe((j) => console.log(j.data[0]));
rt.dispose();
console.log(typeof GradstreamError);`,
    );
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(dir, "use.mjs")], { cwd: dir }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout))),
    );
    const [j, kind] = out.trim().split("\n");
    expect(Number(j)).toBeGreaterThan(0.69);
    expect(Number(j)).toBeLessThan(0.7);
    expect(kind).toBe("function");
  });
});
