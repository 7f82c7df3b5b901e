#!/usr/bin/env node
/**
 * Builds the package into dist/, in three parts, each with the tool that fits it:
 *  - tsc (tsconfig.build.json): the library, one .js and .d.ts per source file, imports rewritten from .ts
 *    to .js — readable output that bundlers tree-shake, with the types users import;
 *  - esbuild: the command line as one bundle (dist/bin/gradstream.js) whose commands are chunks loaded on
 *    demand, so `gradstream --version` or `explain` resolves and parses a few files instead of hundreds,
 *    and the data-parallel worker (dist/bin/gradientWorker.js) beside it;
 *  - Vite (web/vite.config.ts): the explorer page, prebuilt into dist/explorer so `serve` only reads it;
 *  - node-gyp (npm's own), optionally: the native matrix kernel (native/gemm.cc) into
 *    dist/native/<platform>-<arch>/. Without a C++ compiler, Python or Node's headers, or if it fails, the
 *    build says so in one line and goes on: the WebAssembly kernel then runs, with the same results.
 * dist/.build-hash records a hash of every input; when it matches, the build is skipped (`--force` rebuilds),
 * so `npm test` can build first at no cost when nothing changed.
 *
 * @example
 * node scripts/build.mjs          # build what changed (npm install runs it through `prepare`)
 * node scripts/build.mjs --check  # exit 1 when dist/ is out of date, 0 when current
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const stampFile = join(dist, ".build-hash");

/** Everything the build reads: the sources, the page, the configs and the locked dependency versions. */
export function sourceHash() {
  const hash = createHash("sha256");
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(root, "native", "build")) walk(path); // node-gyp's output, not a source
      } else if (entry.isFile()) files.push(path);
    }
  };
  walk(join(root, "src"));
  walk(join(root, "web"));
  walk(join(root, "native"));
  files.push(...["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "scripts/build.mjs"].map((f) => join(root, f)).filter(existsSync));
  for (const file of files.sort()) hash.update(`${relative(root, file)}\n`).update(readFileSync(file));
  return hash.digest("hex");
}

export function isCurrent() {
  return existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === sourceHash();
}

async function build() {
  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });

  // The library and its types. tsc also type-checks every source file here.
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });

  // The command line: one bundle, commands split into chunks loaded when named.
  const esbuild = await import("esbuild");
  await esbuild.build({
    // The data-parallel worker is an entry of its own: `new Worker(new URL("./gradientWorker.js", import.meta.url))`
    // from a chunk in dist/bin finds it beside the chunks, and it shares their code.
    entryPoints: { gradstream: join(root, "src/cli/entry.ts"), gradientWorker: join(root, "src/node/gradientWorker.ts") },
    outdir: join(dist, "bin"),
    // Chunks sit beside the entry: modules find dist/explorer as ../../dist/explorer from src/view, dist/view and dist/bin alike.
    chunkNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: "linked",
    logLevel: "warning",
    // CommonJS dependencies (commander, elkjs) call require(); give the ES module bundle one.
    banner: { js: '#!/usr/bin/env node\nimport { createRequire as __gradstreamRequire } from "node:module";\nconst require = __gradstreamRequire(import.meta.url);' },
  });

  // npm marks a bin executable when it installs; a rebuild makes a new file, so mark it here too (npx, npm link).
  chmodSync(join(dist, "bin", "gradstream.js"), 0o755);

  // The explorer page.
  const vite = await import("vite");
  await vite.build({ configFile: join(root, "web/vite.config.ts"), logLevel: "warn", build: { outDir: join(dist, "explorer"), emptyOutDir: true } });

  buildNative();

  writeFileSync(stampFile, sourceHash() + "\n");
  console.log(`gradstream: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The native kernel, if this machine can build it: node-gyp as npm ships it, with this Node's own headers
 * (never downloaded). Any failure is one line and the build goes on; GRADSTREAM_NATIVE=0 skips it.
 */
function buildNative() {
  const target = join(dist, "native", `${process.platform}-${process.arch}`, "gradstream_gemm.node");
  const skip = (why) => console.log(`gradstream: native kernel not built (${why}); the WebAssembly kernel will run`);
  if (process.env.GRADSTREAM_NATIVE === "0") return skip("GRADSTREAM_NATIVE=0");
  // npm's own copy (npm sets npm_config_node_gyp for scripts; else beside npm-cli.js, or beside node).
  const inNpm = ["node_modules", "node-gyp", "bin", "node-gyp.js"];
  const nodeGyp = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath && join(dirname(dirname(process.env.npm_execpath)), ...inNpm),
    join(dirname(dirname(process.execPath)), "lib", "node_modules", "npm", ...inNpm),
    join(dirname(process.execPath), "node_modules", "npm", ...inNpm),
  ].find((p) => p && existsSync(p));
  if (!nodeGyp) return skip("no node-gyp found beside npm");
  const nodedir = [process.env.npm_config_nodedir, join(dirname(process.execPath), "..")].find((d) => d && existsSync(join(d, "include", "node", "node_api.h")));
  if (!nodedir) return skip("no Node.js headers beside this node");
  const native = join(root, "native");
  try {
    execFileSync(process.execPath, [nodeGyp, "rebuild", `--nodedir=${nodedir}`, "--loglevel=error"], { cwd: native, stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(native, "build", "Release", "gradstream_gemm.node"), target);
    // It must load here, in a fresh process, to be worth shipping.
    const isa = execFileSync(process.execPath, ["-e", `console.log(require(${JSON.stringify(target)}).isa())`], { encoding: "utf8" }).trim();
    console.log(`gradstream: native kernel built (${isa} on this CPU)`);
  } catch (e) {
    rmSync(dirname(target), { recursive: true, force: true });
    const detail = String(e.stderr ?? "").split("\n").find((l) => /error/i.test(l)) ?? e.message.split("\n")[0];
    skip(detail.trim().slice(0, 200));
  } finally {
    rmSync(join(native, "build"), { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes("--check")) process.exit(isCurrent() ? 0 : 1);
  if (args.includes("--force") || !isCurrent()) await build();
  else console.log("gradstream: dist/ is up to date");
}
