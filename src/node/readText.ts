/**
 * Reads a UTF-8 file, refusing one that is not a regular file or is larger than `limit` bytes before
 * reading it. Node-only: the browser's loaders fetch instead (src/browser/fetchText.ts).
 *
 * @example
 * const text = await readText("graphs/planar-tanh.yaml", MAX_GRAPH_FILE_BYTES);
 */
import { readFile, stat } from "node:fs/promises";
import { GradstreamError } from "../errors.ts";

export async function readText(path: string, limit: number): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new GradstreamError("IO", { file: path, message: "not a file" });
    if (info.size > limit) throw new GradstreamError("IO", { file: path, message: `file is ${info.size} bytes; the limit is ${limit}` });
    return await readFile(path, "utf8");
  } catch (e) {
    if (e instanceof GradstreamError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new GradstreamError("IO", { file: path, message: code === "ENOENT" ? "no such file" : `cannot read: ${(e as Error).message}` });
  }
}
