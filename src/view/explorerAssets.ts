/**
 * The explorer page's files, read into memory for the server. The page is built with the package
 * (scripts/build.mjs runs Vite into dist/explorer), so `serve` starts without a bundler; a checkout that
 * was never built gets a message saying how to build it.
 *
 * @example
 * const assets = await readExplorerAssets();
 * assets.get("/index.html")!.body // the page
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { GradstreamError } from "../errors.ts";

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** The same from src/view (sources), dist/view (the library) and dist/bin (the command line's chunks). */
export const EXPLORER_DIR = fileURLToPath(new URL("../../dist/explorer/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
};

export async function readExplorerAssets(dir = EXPLORER_DIR): Promise<Map<string, Asset>> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch {
    files = [];
  }
  if (!files.some((f) => relative(dir, f) === "index.html")) {
    throw new GradstreamError("IO", { file: dir, message: "the explorer page is not built: run `npm run build` in the gradstream folder" });
  }
  const assets = new Map<string, Asset>();
  for (const file of files) {
    const url = "/" + relative(dir, file).split(sep).join("/");
    const ext = url.slice(url.lastIndexOf("."));
    assets.set(url, { body: await readFile(file), type: TYPES[ext] ?? "application/octet-stream" });
  }
  return assets;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
