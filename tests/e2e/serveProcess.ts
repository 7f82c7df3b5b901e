/**
 * `gradstream serve` as a child process of the built command line, for the browser tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/runCli.ts";

export interface ServeProcess {
  readonly url: string;
  /** Stops the server (SIGINT, as a user's Ctrl-C) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `gradstream serve <args> --port 0 --no-watch` in the repository and resolves with the URL it prints. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(REPO, "dist/bin/gradstream.js"), "serve", ...args, "--port", "0", "--no-watch"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
  };
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      stdout += d;
      const m = stdout.match(/^gradstream explorer: (http:\/\/127\.0\.0\.1:\d+\/)$/m);
      if (m) resolve({ url: m[1], stop });
    });
    child.on("exit", (code) => reject(new Error(`gradstream serve exited with ${code} before printing its URL:\n${stdout}${stderr}`)));
  });
}
