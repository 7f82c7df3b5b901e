/**
 * The package's entries as built (dist/): the Node entry exports exactly what src/index.ts does, the
 * browser entry the same names (so code moves between them), and `import … from "gradstream"` works from
 * a plain .mjs file with no TypeScript loader anywhere in the process.
 */
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as source from "../../src/index.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));

describe("the package entries (dist/)", () => {
  it("package.json points bin, main, types and exports at dist/", () => {
    const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8"));
    expect(pkg.bin).toEqual({ gradstream: "dist/bin/gradstream.js" });
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", browser: "./dist/browser.js", default: "./dist/index.js" });
    expect(pkg.dependencies.tsx, "tsx is a dev tool, not a dependency").toBeUndefined();
  });

  it("the built command line is executable, so `npx gradstream` and `npm link` work after a rebuild (regression: a rebuild left it 644)", () => {
    const { mode } = statSync(join(repo, "dist/bin/gradstream.js"));
    expect(mode & 0o111).toBe(0o111);
    expect(readFileSync(join(repo, "dist/bin/gradstream.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("dist/index.js exports every runtime export of src/index.ts, and dist/browser.js the same names", async () => {
    const node = await import(join(repo, "dist/index.js"));
    const browser = await import(join(repo, "dist/browser.js"));
    expect(Object.keys(node).sort()).toEqual(Object.keys(source).sort());
    expect(Object.keys(browser).sort()).toEqual(Object.keys(source).sort());
    // The loaders differ by platform; everything else is the one core module.
    for (const name of Object.keys(source)) {
      if (["loadGraph", "loadData", "loadCsv"].includes(name)) expect(browser[name], name).not.toBe(node[name]);
      else expect(browser[name], name).toBe(node[name]);
    }
  });

  it("is importable as `gradstream` from a plain .mjs file, with no TypeScript loader (regression: it needed tsx)", async () => {
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
      execFile(process.execPath, [join(dir, "use.mjs")], { cwd: dir, env: { ...process.env, NODE_OPTIONS: "" } /* no loader hooks inherited from the test runner */ }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout))),
    );
    const [j, kind] = out.trim().split("\n");
    expect(Number(j)).toBeGreaterThan(0.69);
    expect(Number(j)).toBeLessThan(0.7);
    expect(kind).toBe("function");
  });

  it("no built file refers to tsx or to a .ts module", () => {
    const files = listJs(join(repo, "dist"));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(/from\s*"[^"]*tsx[^"]*"|import\("[^"]*tsx/.test(text), file).toBe(false);
      expect(/from\s*"\.{1,2}\/[^"]*\.ts"/.test(text), file).toBe(false);
    }
  });
});

function listJs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".js") && !e.parentPath.includes("explorer"))
    .map((e) => join(e.parentPath, e.name));
}
