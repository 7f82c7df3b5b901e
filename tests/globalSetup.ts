/**
 * Before any test: dist/ must be the build of the sources under test, because the command line, the
 * package entry and the explorer page are tested as built. `npm test` builds first; this catches a direct
 * `npx vitest` after an edit, rebuilding only when a source changed (scripts/build.mjs keeps a hash).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL("../scripts/build.mjs", import.meta.url))], { stdio: "inherit" });
}
