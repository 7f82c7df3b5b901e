import { main } from "./main.ts";
import { loadNativeKernel } from "../node/nativeKernel.ts";

loadNativeKernel(); // the products on the machine's widest vectors where the native kernel was built

// `gradstream check g.yaml | head -1` closes the pipe early. That is not an error, and it must not change
// the exit status: the command runs to its end (a pipeline with pipefail sees check's 1 on a failure), its
// further output discarded. Any other failure to write standard output (a full disk) is an I/O error.
let stdoutClosed = false;
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (stdoutClosed) return; // writes after the close fail too; they were discarded already
  stdoutClosed = true;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  if (e.code !== "EPIPE") {
    console.error(`gradstream: cannot write to standard output: ${e.message}`);
    process.exitCode = 2;
  }
});

const status = await main(process.argv.slice(2));
process.exitCode = Math.max(status, Number(process.exitCode ?? 0));
