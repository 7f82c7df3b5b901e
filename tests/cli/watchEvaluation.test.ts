/**
 * `watch` on an edit that validates but cannot be evaluated. Regression: the new runtime's `snapshot$`
 * had no error handler, so the first such edit ended the watch with a stack trace. Now the edit is
 * evaluated before it is taken; it is reported (file, node), and the last good state keeps running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { startWatch, type WatchSession } from "../../src/cli/watch.ts";
import { registerOp, getOp } from "../../src/ops/registry.ts";
import { GradstreamError } from "../../src/errors.ts";

const repo = join(import.meta.dirname, "../..");
const planar = readFileSync(join(repo, "graphs/planar-tanh.yaml"), "utf8");
/** Validates, but A1 = Z1 ⊙ Z1 overflows float64: W1's entries are ~1e300, so Z1's are too, and A1's ~1e600. */
const overflowing = planar.replace("W1: { shape: [4, 2], init: { normal: 0.01 } }", "W1: { shape: [4, 2], init: { normal: 1e300 } }").replace("A1: { op: tanh, in: [Z1] }", "A1: { op: mul, in: [Z1, Z1] }");

function workspace(graph = planar) {
  const dir = mkdtempSync(join(tmpdir(), "gradstream-watch-eval-"));
  const paths = { dir, graph: join(dir, "g.yaml"), data: join(dir, "d.json") };
  writeFileSync(paths.graph, graph);
  writeFileSync(paths.data, JSON.stringify({ inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[1, 0, 1]] } }));
  return paths;
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("watch: an edit that validates but fails to evaluate", () => {
  let session: WatchSession | undefined;
  let unregister: (() => void) | undefined;
  afterEach(() => {
    session?.stop();
    unregister?.();
    session = unregister = undefined;
  });

  it("a value that overflows: reported with the node, the last good state stays, and a fix resumes", async () => {
    const w = workspace();
    const out: string[] = [], err: string[] = [];
    session = await startWatch(w.graph, { data: w.data, seed: 1, m: 4 }, (l) => out.push(l), (l) => err.push(l));
    await until(() => out.some((l) => l.startsWith("[update 0]")), "first epoch");

    writeFileSync(w.graph, overflowing);
    await until(() => err.some((l) => l.includes("change refused")), "the refusal");
    expect(err[0]).toMatch(new RegExp(`^${w.graph.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: node A1: its value is Infinity at \\[0\\]\\[0\\] \\(mul of Z1, Z1\\): the numbers overflowed float64`));
    expect(err[1]).toBe("(graph change refused; still running the last good state)");
    expect(out.filter((l) => l.startsWith("watching"))).toHaveLength(1);

    // The last good runtime is still live: a data edit recomputes it.
    writeFileSync(w.data, JSON.stringify({ inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[0, 0, 1]] } }));
    await until(() => err.filter((l) => l.includes("change refused")).length === 2 || out.some((l) => l.startsWith("[update 1]")), "the data edit");
    // The data edit is evaluated with the graph last taken (the good one), so it is accepted.
    expect(out.some((l) => l.startsWith("[update 1]"))).toBe(true);

    writeFileSync(w.graph, planar);
    await until(() => out.filter((l) => l.startsWith("watching")).length === 2, "the fixed graph");
  });

  it("an op that throws: reported as a computation failure of that node", async () => {
    const relu = getOp("relu")!;
    unregister = registerOp({ ...relu, name: "explodes", scalar: undefined, forward: () => { throw new RangeError("Invalid typed array length: 1099511627776"); } });
    const w = workspace();
    const out: string[] = [], err: string[] = [];
    session = await startWatch(w.graph, { data: w.data, seed: 1, m: 4 }, (l) => out.push(l), (l) => err.push(l));
    await until(() => out.some((l) => l.startsWith("[update 0]")), "first epoch");
    writeFileSync(w.graph, planar.replace("A1: { op: tanh, in: [Z1] }", "A1: { op: explodes, in: [Z1] }"));
    await until(() => err.some((l) => l.includes("change refused")), "the refusal");
    expect(err[0]).toBe(`${w.graph}: node A1: explodes failed: Invalid typed array length: 1099511627776`);
    expect(out.filter((l) => l.startsWith("watching"))).toHaveLength(1);
  });

  it("a graph that cannot be evaluated at the start is refused with its error (exit 1 from the CLI)", async () => {
    const w = workspace(overflowing);
    await expect(startWatch(w.graph, { data: w.data, seed: 1, m: 4 }, () => {}, () => {})).rejects.toMatchObject({ code: "COMPUTE", constructor: GradstreamError });
  });

  // The issue's reproducer: [2²⁰,1]·[1,2²⁰] passes shape inference and cannot be allocated ("Invalid typed
  // array length"); the watch died with a stack trace (and a screen of bundled source).
  it("as a process: an edit that cannot be evaluated is refused and the watch goes on", async () => {
    const w = workspace();
    const child = spawn(process.execPath, [join(repo, "dist/bin/gradstream.js"), "watch", w.graph, "--data", w.data], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    try {
      await until(() => stdout.includes("[update 0]"), "CLI first epoch", 15000);
      writeFileSync(w.graph, planar.replace("params:", "params:\n  P: { shape: [1048576, 1] }\n  Q: { shape: [1, 1048576] }").replace("  J:  { op: mean, in: [L] }", "  J:  { op: mean, in: [L] }\n  PQ: { op: matmul, in: [P, Q] }"));
      await until(() => stderr.includes("change refused"), "CLI refusal", 15000);
      expect(stderr).toContain(`${w.graph}: node PQ: `);
      writeFileSync(w.graph, planar);
      await until(() => stdout.split("watching").length === 3, "CLI resumes", 15000);
      expect(child.exitCode).toBe(null);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    }
  });
});
