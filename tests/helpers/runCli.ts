/**
 * Runs the real command line (`node dist/bin/gradstream.js ...`, the built bundle) in a child process and returns its exit
 * status and output, whatever the status. At most a few run at once.
 *
 * @example
 * const { code, stdout, stderr } = await runCli(["grad", "graphs/planar-tanh.yaml", "--json"]);
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../dist/bin/gradstream.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const MAX_AT_ONCE = 3;
let running = 0;
const waiting: (() => void)[] = [];

export async function runCli(args: readonly string[]): Promise<CliResult> {
  if (running >= MAX_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await new Promise<CliResult>((resolve, reject) => {
      execFile(process.execPath, [BIN, ...args], { cwd: REPO, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}
