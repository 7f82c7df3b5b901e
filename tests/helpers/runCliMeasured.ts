/**
 * Runs the built command line in a child process, as runCli does, and reports its peak memory: the child
 * prints `process.resourceUsage().maxRSS` on exit (a preloaded module), and that line is taken off its
 * stderr. For tests that a refusal happens before allocating: the peak stays near Node's own start-up size.
 *
 * @example
 * const { code, stderr, peakMB } = await runCliMeasured(["run", "big.yaml"]);
 * expect(peakMB).toBeLessThan(200);
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CliResult } from "./runCli.ts";

const BIN = fileURLToPath(new URL("../../dist/bin/gradstream.js", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const REPORT = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\n[peak rss kB] '+process.resourceUsage().maxRSS+'\\n'))";

export async function runCliMeasured(args: readonly string[]): Promise<CliResult & { peakMB: number }> {
  const { code, stdout, stderr } = await new Promise<CliResult>((resolve, reject) => {
    execFile(process.execPath, ["--import", REPORT, BIN, ...args], { cwd: REPO, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }, (error, out, err) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout: out, stderr: err });
    });
  });
  const match = /\n\[peak rss kB\] (\d+)\n$/.exec(stderr);
  if (!match) throw new Error(`no peak memory reported; stderr: ${stderr.slice(-500)}`);
  return { code, stdout, stderr: stderr.slice(0, match.index), peakMB: Number(match[1]) / 1024 };
}
