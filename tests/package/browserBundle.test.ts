/**
 * The core bundles for the browser: `import { parseGraph, createRuntime, explainGraph, checkScaling } from
 * "gradstream"` built by esbuild with --platform=browser (which refuses any `node:` module) resolves to the
 * package's browser entry and pulls in no Node-only module and no shim.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { REPO } from "../helpers/runCli.ts";

async function bundle(source: string): Promise<{ errors: string[]; metafile?: Metafile }> {
  // The entry sits in the repository, so `gradstream` resolves to this package as an installed one would.
  const entry = join(REPO, "examples", `.bundle-check-${process.pid}.mjs`);
  writeFileSync(entry, source);
  const outdir = mkdtempSync(join(tmpdir(), "gs-browser-"));
  try {
    const result = await build({ entryPoints: [entry], outdir, bundle: true, format: "esm", platform: "browser", metafile: true, logLevel: "silent", write: true });
    return { errors: [], metafile: result.metafile };
  } catch (e) {
    return { errors: ((e as { errors?: { text: string }[] }).errors ?? []).map((x) => x.text) };
  } finally {
    (await import("node:fs")).rmSync(entry, { force: true });
  }
}

describe("the package's browser entry", () => {
  it("bundles for the browser with no node: module, through dist/browser.js", async () => {
    const { errors, metafile } = await bundle(`import { parseGraph, createRuntime, explainGraph, checkScaling, loadGraph } from "gradstream";
console.log(parseGraph, createRuntime, explainGraph, checkScaling, loadGraph);`);
    expect(errors).toEqual([]);
    const inputs = Object.keys(metafile!.inputs);
    expect(inputs.some((f) => f.endsWith("dist/browser.js"))).toBe(true);
    // Not the Node entry or its loaders, and no shim standing in for a Node module.
    expect(inputs.filter((f) => f.startsWith("node:") || /^dist\/node\/|^dist\/index\.js$|\/shims?\//.test(f))).toEqual([]);
    const imports = Object.values(metafile!.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith("node:") || ["fs", "path", "os", "url", "crypto"].includes(p))).toEqual([]);
  });

  it("the check is able to fail: a module that imports node:fs does not bundle for the browser", async () => {
    const { errors } = await bundle(`import { loadGraph } from "../dist/node/loadGraph.js"; console.log(loadGraph);`);
    expect(errors.join("\n")).toMatch(/node:fs/);
  });
});
