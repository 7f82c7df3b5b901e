/**
 * Vite config of the explorer page. `gradstream serve` builds the page with it (through Vite's JS API,
 * into a cache directory); `npx vite --config web/vite.config.ts` runs the page with hot reload against a
 * running `gradstream serve` (its /api is proxied to GRADSTREAM_API, default http://127.0.0.1:5178).
 *
 * @example
 * await build({ ...explorerViteConfig("/tmp/explorer"), configFile: false });
 */
import { fileURLToPath } from "node:url";
import { defineConfig, type UserConfig } from "vite";

const webDir = fileURLToPath(new URL(".", import.meta.url));

export function explorerViteConfig(outDir: string): UserConfig {
  return {
    root: webDir,
    base: "./",
    logLevel: "warn",
    clearScreen: false,
    // The page runs the same graph reader and runtime as the CLI; they import node:fs and node:path only
    // to read files, which the page never does.
    resolve: {
      alias: {
        "node:fs/promises": fileURLToPath(new URL("./shims/fs.ts", import.meta.url)),
        "node:path": fileURLToPath(new URL("./shims/path.ts", import.meta.url)),
      },
    },
    // The decision boundary is drawn in a module worker (web/boundaryWorker.ts).
    worker: { format: "es" },
    build: { outDir, emptyOutDir: true, target: "es2022", reportCompressedSize: false, chunkSizeWarningLimit: 2048 },
    server: { proxy: { "/api": process.env.GRADSTREAM_API ?? "http://127.0.0.1:5178" } },
  };
}

export default defineConfig(explorerViteConfig(fileURLToPath(new URL("../node_modules/.cache/gradstream/explorer-dev", import.meta.url))));
