/**
 * Builds the explorer page (web/) with Vite's JS API and returns its files, kept in memory for the
 * server. The build is cached under node_modules/.cache/gradstream (or the system temp directory when
 * that is not writable), keyed by a hash of every source it bundles, so only the first `serve` after a
 * change waits for Vite; a clean clone needs nothing beyond `npm install`.
 *
 * @example
 * const assets = await buildExplorer();
 * assets.get("/index.html")!.body // the page
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { GradstreamError } from "../errors.ts";

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

export interface BuildOptions {
  /** Where builds are cached; default node_modules/.cache/gradstream, else the temp directory. */
  cacheDir?: string;
  /** Progress messages (a build takes a few seconds). */
  log?: (message: string) => void;
}

const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".map": "application/json",
};

export async function buildExplorer(options: BuildOptions = {}): Promise<Map<string, Asset>> {
  const key = await sourceHash();
  const roots = options.cacheDir ? [options.cacheDir] : [join(PACKAGE_ROOT, "node_modules", ".cache", "gradstream"), join(tmpdir(), `gradstream-cache-${process.getuid?.() ?? "user"}`)];
  let lastError: unknown;
  for (const root of roots) {
    const dir = join(root, `explorer-${key}`);
    if (await isFile(join(dir, "index.html"))) return readAssets(dir);
    try {
      await mkdir(root, { recursive: true });
      options.log?.("building the explorer page with Vite (once per change of its sources)…");
      await buildInto(root, dir);
      await pruneOldBuilds(root, dir);
      return readAssets(dir);
    } catch (e) {
      if (e instanceof GradstreamError) throw e;
      lastError = e;
    }
  }
  throw new GradstreamError("IO", `cannot build the explorer page: ${(lastError as Error)?.message ?? lastError}`);
}

/** Builds into a private directory and renames it into place, so concurrent servers never see half a build. */
async function buildInto(root: string, dir: string): Promise<void> {
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  let build: typeof import("vite").build;
  try {
    ({ build } = await import("vite"));
  } catch {
    throw new GradstreamError("IO", "the explorer page is built with Vite, which is not installed here: run `npm install` in the gradstream folder");
  }
  const { explorerViteConfig } = await import("../../web/vite.config.ts");
  try {
    await build({ ...explorerViteConfig(staging), configFile: false });
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw new GradstreamError("COMPUTE", `the explorer page (web/) does not build: ${(e as Error).message}`);
  }
  try {
    await rename(staging, dir);
  } catch (e) {
    // Another server finished the same build first: theirs is identical.
    await rm(staging, { recursive: true, force: true });
    if (!(await isFile(join(dir, "index.html")))) throw e;
  }
}

async function pruneOldBuilds(root: string, keep: string): Promise<void> {
  for (const name of await readdir(root)) {
    const path = join(root, name);
    if (name.startsWith("explorer-") && !name.includes(".tmp-") && path !== keep) await rm(path, { recursive: true, force: true });
  }
}

async function readAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const file of await listFiles(dir)) {
    const url = "/" + relative(dir, file).split(sep).join("/");
    const ext = url.slice(url.lastIndexOf("."));
    assets.set(url, { body: await readFile(file), type: TYPES[ext] ?? "application/octet-stream" });
  }
  return assets;
}

/** A hash of everything the page is built from: web/, src/, and the Vite version. */
async function sourceHash(): Promise<string> {
  const hash = createHash("sha256");
  const vite = JSON.parse(await readFile(join(PACKAGE_ROOT, "node_modules", "vite", "package.json"), "utf8")).version;
  hash.update(`vite ${vite}\n`);
  for (const folder of ["web", "src"]) {
    const files = (await listFiles(join(PACKAGE_ROOT, folder))).sort();
    for (const file of files) hash.update(`${relative(PACKAGE_ROOT, file)}\n`).update(await readFile(file));
  }
  return hash.digest("hex").slice(0, 16);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !entry.name.startsWith(".")) out.push(...(await listFiles(path)));
    } else if (entry.isFile()) out.push(path);
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
