/**
 * Fetches a text resource for the browser's loaders, refusing one whose declared or actual size is over
 * `limit` bytes; a failed request is an IO error naming the URL.
 *
 * @example
 * const text = await fetchText("graphs/planar-tanh.yaml", MAX_GRAPH_FILE_BYTES);
 */
import { GradstreamError } from "../errors.ts";

export async function fetchText(url: string, limit: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new GradstreamError("IO", { file: url, message: `cannot fetch: ${(e as Error).message}` });
  }
  if (!response.ok) throw new GradstreamError("IO", { file: url, message: response.status === 404 ? "no such file (HTTP 404)" : `cannot fetch: HTTP ${response.status}` });
  const declared = Number(response.headers.get("content-length"));
  if (declared > limit) throw new GradstreamError("IO", { file: url, message: `file is ${declared} bytes; the limit is ${limit}` });
  const text = await response.text();
  // A response without a length (chunked, compressed) is measured once read.
  if (text.length > limit) throw new GradstreamError("IO", { file: url, message: `file is over ${limit} bytes; the limit is ${limit}` });
  return text;
}
