#!/usr/bin/env node
// Builds the embed example into examples/embed/dist/: main.js bundled for the browser with esbuild (which
// resolves `import … from "gradstream"` to this package and picks its "browser" entry), beside the page,
// the graph and the data it fetches. Serve that folder over HTTP (e.g. `npx vite preview --outDir
// examples/embed/dist`, or any static server) and open it.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here("./dist/");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [here("./main.js")],
  outfile: here("./dist/main.js"),
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  metafile: true,
  logLevel: "warning",
});
copyFileSync(here("./index.html"), here("./dist/index.html"));
copyFileSync(here("../../graphs/planar-tanh.yaml"), here("./dist/planar-tanh.yaml"));
copyFileSync(here("../../data/planar-small.json"), here("./dist/planar-small.json"));

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`examples/embed/dist: page, graph, data and main.js (${(bytes / 1024).toFixed(0)} KiB, minified)`);
