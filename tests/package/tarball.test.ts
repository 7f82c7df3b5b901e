/**
 * `npm pack` makes a package that works on its own: installed from the tarball into an empty project
 * (dependencies from the npm cache), its command line and its library run in plain Node, with no tsx and
 * no TypeScript anywhere in that project. The library check runs the README's own example. The native
 * matrix kernel built here ships in the tarball and loads where it is installed (no install script runs
 * there); without it the command line falls back to the WebAssembly kernel with the same output.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { REPO } from "../helpers/runCli.ts";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { loadData } from "../../src/node/loadData.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { NATIVE_PATH, nativeAddon } from "../../src/node/nativeKernel.ts";

const run = promisify(execFile);
const project = mkdtempSync(join(tmpdir(), "gs-tarball-"));
const installed = join(project, "node_modules", "gradstream");
// The consumer's environment: nothing inherited from the test runner's loaders.
const env = { ...process.env, NODE_OPTIONS: "", npm_config_loglevel: "error", npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" };

/** The README's library example, exactly as the README shows it. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = /<!-- example:library -->\n```js\n([\s\S]*?)\n```/.exec(readme);
  if (!block) throw new Error("README.md has no <!-- example:library --> js block");
  return block[1];
}

beforeAll(async () => {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", project], { cwd: REPO, env, maxBuffer: 64 << 20 });
  const [{ filename, files }] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  const paths = (files as { path: string }[]).map((f) => f.path);
  expect(paths).toContain("dist/bin/gradstream.js");
  expect(paths).toContain("dist/index.d.ts");
  expect(paths).toContain("dist/explorer/index.html");
  expect(paths.filter((p) => p.startsWith("src/") || p.startsWith("tests/") || p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
  if (existsSync(NATIVE_PATH)) expect(paths).toContain(relative(REPO, NATIVE_PATH));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await run("npm", ["install", "--prefer-offline", join(project, filename)], { cwd: project, env, maxBuffer: 64 << 20 });
}, 240_000);

describe("the packed tarball, installed into an empty project", () => {
  it("has no tsx or TypeScript in the project", () => {
    expect(existsSync(installed)).toBe(true);
    expect(existsSync(join(project, "node_modules", "tsx"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "typescript"))).toBe(false);
  });

  it("npx gradstream --version", async () => {
    const { stdout } = await run("npx", ["--no-install", "gradstream", "--version"], { cwd: project, env });
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);
  });

  it("npx gradstream grad <graph>: the same output as the repository's own build", async () => {
    const graph = join(installed, "graphs/planar-tanh.yaml");
    const { stdout } = await run("npx", ["--no-install", "gradstream", "grad", graph, "--json"], { cwd: project, env, maxBuffer: 16 << 20 });
    const ours = await run(process.execPath, [join(REPO, "dist/bin/gradstream.js"), "grad", join(REPO, "graphs/planar-tanh.yaml"), "--json"], { env, maxBuffer: 16 << 20 });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(ours.stdout));
    const text = await run("npx", ["--no-install", "gradstream", "grad", graph], { cwd: project, env });
    expect(text.stdout).toMatch(/dJ\/dW1 \[4×2\]/);
  });

  it("the README's library example runs in plain Node and prints what the library computes", async () => {
    const file = join(project, "example.mjs");
    writeFileSync(file, readmeExample());
    // Run where the example's relative paths (graphs/, data/) exist: the installed package's folder.
    const { stdout, stderr } = await run(process.execPath, [file], { cwd: installed, env });
    expect(stderr).toBe("");
    const printedJ = [...stdout.matchAll(/^J = (\S+)$/gm)].map((m) => Number(m[1]));

    // The same steps through the sources, in this process.
    const graph = await loadGraph(join(REPO, "graphs/planar-tanh.yaml"));
    const { values } = await loadData(join(REPO, "data/planar-small.json"), graph);
    const rt = createRuntime(graph, { inputs: { X: values.get("X")!, Y: values.get("Y")! } });
    const expected: number[] = [];
    rt.value$("J").subscribe((J) => expected.push(J.data[0]));
    rt.set({ Y: [[0, 1, 0, 1]] });
    rt.transaction(() => rt.set({ W2: [[0.1, 0.2, 0.3, 0.4]], b2: [[0.5]] }));
    rt.dispose();
    expect(expected).toHaveLength(3);
    expect(printedJ).toEqual(expected);
    expect(stdout).toContain("dJ/dW2 = [");
  });

  it("the native kernel built here loads in the installed package, and the command line uses it", async () => {
    const loader = pathToFileURL(join(installed, "dist/node/nativeKernel.js")).href;
    const script = `import { nativeAddon } from ${JSON.stringify(loader)}; const r = nativeAddon(); console.log(JSON.stringify({ isa: r.addon?.isa(), reason: r.reason }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project, env });
    const here = nativeAddon();
    expect(JSON.parse(stdout)).toEqual(here.addon ? { isa: here.addon.isa() } : { reason: "not built for this platform" });
    // Forcing it prints a line when it is not there; here it is (when built), so nothing is printed.
    const graph = join(installed, "graphs/planar-tanh.yaml");
    const forced = await run("npx", ["--no-install", "gradstream", "grad", graph, "--json"], { cwd: project, env: { ...env, GRADSTREAM_KERNEL: "native" } });
    expect(forced.stderr).toBe(here.addon ? "" : expect.stringContaining("GRADSTREAM_KERNEL=native: that kernel is not available here"));
  });

  it("without the native binary (a platform it was not built for), the command line falls back with the same output", async () => {
    const graph = join(installed, "graphs/planar-tanh.yaml");
    const withIt = await run("npx", ["--no-install", "gradstream", "grad", graph, "--json"], { cwd: project, env, maxBuffer: 16 << 20 });
    rmSync(join(installed, "dist", "native"), { recursive: true, force: true });
    const without = await run("npx", ["--no-install", "gradstream", "grad", graph, "--json"], { cwd: project, env, maxBuffer: 16 << 20 });
    expect(without.stderr).toBe("");
    expect(JSON.parse(without.stdout)).toEqual(JSON.parse(withIt.stdout));
    const forced = await run("npx", ["--no-install", "gradstream", "grad", graph, "--json"], { cwd: project, env: { ...env, GRADSTREAM_KERNEL: "native" }, maxBuffer: 16 << 20 });
    expect(forced.stderr).toBe("gradstream: GRADSTREAM_KERNEL=native: that kernel is not available here (not built for this platform); using wasm\n");
    expect(JSON.parse(forced.stdout)).toEqual(JSON.parse(withIt.stdout));
  });
});
