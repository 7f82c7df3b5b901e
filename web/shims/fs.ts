/**
 * Stands in for `node:fs/promises` in the explorer page's bundle. The page parses graph text the server
 * sends; it never reads files, so these only exist to make the shared sources bundle for the browser.
 *
 * @example
 * // web/vite.config.ts: resolve.alias { "node:fs/promises": "web/shims/fs.ts" }
 */
function unavailable(): never {
  throw new Error("files cannot be read in the browser; the explorer server sends the graph and data");
}

export async function readFile(): Promise<string> {
  return unavailable();
}

export async function stat(): Promise<never> {
  return unavailable();
}

export async function writeFile(): Promise<void> {
  return unavailable();
}
