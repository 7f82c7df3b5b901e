/**
 * Vite config of the explorer page. The package build (scripts/build.mjs) builds the page with it into
 * dist/explorer, which `gradstream serve` serves; `npx vite --config web/vite.config.ts` runs the page with
 * hot reload against a running `gradstream serve` (its /api is proxied to GRADSTREAM_API, default
 * http://127.0.0.1:5178). The page imports gradstream's platform-neutral core, which needs no shims.
 *
 * @example
 * await build({ configFile: "web/vite.config.ts", build: { outDir: "dist/explorer" } });
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  clearScreen: false,
  // The decision boundary is drawn in a module worker (web/boundaryWorker.ts).
  worker: { format: "es" },
  build: { outDir: fileURLToPath(new URL("../dist/explorer", import.meta.url)), emptyOutDir: true, target: "es2022", reportCompressedSize: false, chunkSizeWarningLimit: 2048 },
  server: { proxy: { "/api": process.env.GRADSTREAM_API ?? "http://127.0.0.1:5178" } },
});
