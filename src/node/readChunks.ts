/**
 * Streams a file's bytes to `onChunk` (64 KiB at a time), refusing one that is not a regular file or is
 * larger than `limit` bytes before reading it. An error thrown by `onChunk` (a reader refusing the file)
 * stops the reading and is thrown as it is. Node-only.
 *
 * @example
 * await readChunks("data.json", MAX_DATA_FILE_BYTES, (bytes) => reader.write(bytes));
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { GradstreamError } from "../errors.ts";

export async function readChunks(path: string, limit: number, onChunk: (bytes: Uint8Array) => void): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new GradstreamError("IO", { file: path, message: "not a file" });
    if (info.size > limit) throw new GradstreamError("IO", { file: path, message: `file is ${info.size} bytes; the limit is ${limit}` });
    const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    try {
      for await (const chunk of stream) onChunk(chunk as Buffer);
    } finally {
      stream.destroy();
    }
  } catch (e) {
    if (e instanceof GradstreamError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new GradstreamError("IO", { file: path, message: code === "ENOENT" ? "no such file" : `cannot read: ${(e as Error).message}` });
  }
}
