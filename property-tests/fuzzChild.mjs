// Runs the built command line (dist/bin/gradstream.js) with this process's arguments, and reports the
// process's peak resident memory (kB, from process.resourceUsage) on file descriptor 3 when it exits:
// the fuzz suite's memory measure of a real CLI process (see fuzz.ts, runInChild).
import { writeSync } from "node:fs";

process.on("exit", () => {
  try {
    writeSync(3, `${process.resourceUsage().maxRSS}\n`);
  } catch {
    // no pipe on fd 3: run by hand
  }
});
await import(new URL("../dist/bin/gradstream.js", import.meta.url).href);
