/**
 * Runs the command line's `main(argv)` in this process and captures what it prints, for tests that run
 * many commands: the same code as the built `dist/bin/gradstream.js` (from the sources), without starting a
 * process for each. Exit codes, stderr and the absence of stack traces are still checked in real child
 * processes (see runCli.ts); this is for the per-graph matrix.
 *
 * @example
 * const { code, stdout } = await runMain(["grad", "graphs/planar-tanh.yaml", "--json"]);
 */
import { vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliResult } from "./runCli.ts";

/** One at a time: the captured streams are process-wide. */
let queue: Promise<unknown> = Promise.resolve();

export function runMain(argv: readonly string[]): Promise<CliResult> {
  const run = queue.then(() => capture(argv));
  queue = run.catch(() => undefined);
  return run;
}

async function capture(argv: readonly string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const text = (args: unknown[]) => args.map(String).join(" ") + "\n";
  const spies = [
    vi.spyOn(console, "log").mockImplementation((...args) => void (stdout += text(args))),
    vi.spyOn(console, "error").mockImplementation((...args) => void (stderr += text(args))),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true)),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true)),
  ];
  try {
    const code = await main([...argv]);
    return { code, stdout, stderr };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
