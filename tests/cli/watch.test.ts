import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { startWatch, type WatchSession } from "../../src/cli/watch.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { bindData } from "../../src/data/bindData.ts";
import { forward } from "../../src/graph/evaluate.ts";
import { formatNumber } from "../../src/cli/format.ts";

const repo = join(import.meta.dirname, "../..");
const planar = readFileSync(join(repo, "graphs/planar-tanh.yaml"), "utf8");

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "gradstream-watch-"));
  const graph = join(dir, "g.yaml");
  const data = join(dir, "d.json");
  writeFileSync(graph, planar);
  writeFileSync(data, JSON.stringify({ inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[1, 0, 1]] } }));
  return { dir, graph, data };
}

/** The loss the file state should give, from a from-scratch evaluation. */
function expectedLoss(graphText: string, data: unknown): string {
  const g = parseGraph(graphText, "yaml");
  const values = forward(g, bindData(data, g, 1).values);
  return formatNumber(values.get(g.loss)!.data[0], 12);
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("gradstream watch", () => {
  let session: WatchSession | undefined;
  afterEach(() => session?.stop());

  it("recomputes on data edits, refuses a bad edit keeping the last good state, and resumes when fixed", async () => {
    const w = workspace();
    const out: string[] = [];
    const err: string[] = [];
    session = await startWatch(w.graph, { data: w.data, seed: 1, m: 4 }, (l) => out.push(l), (l) => err.push(l));
    const first = { inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[1, 0, 1]] } };
    await until(() => out.some((l) => l.startsWith("[update 0]")), "first update");
    expect(out.find((l) => l.startsWith("[update 0]"))).toContain(`J = ${expectedLoss(planar, first)}`);

    // A real edit of the data file: new labels.
    const second = { inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[0, 0, 1]] } };
    writeFileSync(w.data, JSON.stringify(second));
    await until(() => out.some((l) => l.startsWith("[update 1]")), "update 1");
    expect(out.find((l) => l.startsWith("[update 1]"))).toContain(`J = ${expectedLoss(planar, second)}`);

    // A bad edit: ragged rows. The error names the file and the tensor; no new update.
    writeFileSync(w.data, JSON.stringify({ inputs: { X: [[1, 2, 3], [0.5, -1]], Y: [[0, 0, 1]] } }));
    await until(() => err.length > 0, "error");
    expect(err[0]).toContain(w.data);
    expect(err[0]).toContain("node X");
    expect(err[0]).toMatch(/ragged/);
    expect(out.filter((l) => l.startsWith("[update"))).toHaveLength(2);

    // A bad graph edit: an undefined input; the last good runtime stays.
    writeFileSync(w.graph, planar.replace("in: [Z1]", "in: [Q]"));
    await until(() => err.some((l) => l.includes("input 'Q' is not defined")), "graph error");
    expect(err.find((l) => l.includes("'Q'"))).toContain(`${w.graph}: node A1`);

    // Fix both (the graph by an editor-style rename over the old file): it resumes with the fixed state.
    const third = { inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[1, 1, 0]] } };
    writeFileSync(w.data, JSON.stringify(third));
    await until(() => out.filter((l) => l.startsWith("[update")).length === 3, "update after the data fix");
    expect(out.at(-1)).toContain(`J = ${expectedLoss(planar, third)}`);
    const tmp = join(w.dir, "g.yaml.tmp");
    writeFileSync(tmp, planar.replace("W2: { shape: [1, 4], init: { normal: 0.01 } }", "W2: { shape: [1, 4], init: { normal: 0.5 } }"));
    renameSync(tmp, w.graph);
    await until(() => out.filter((l) => l.startsWith("watching")).length === 2, "graph reload");
    await until(() => out.at(-1)!.startsWith("[update 0]"), "first update of the new graph");
    const fixed = readFileSync(w.graph, "utf8");
    expect(out.at(-1)).toContain(`J = ${expectedLoss(fixed, third)}`);
  });

  it("runs as a CLI process and prints each update", async () => {
    const w = workspace();
    copyFileSync(join(repo, "graphs/planar-tanh.yaml"), w.graph);
    const child = spawn(process.execPath, [join(repo, "dist/bin/gradstream.js"), "watch", w.graph, "--data", w.data], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (b) => (stdout += b));
    try {
      await until(() => stdout.includes("[update 0]"), "CLI first update", 15000);
      writeFileSync(w.data, JSON.stringify({ inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[0, 1, 1]] } }));
      await until(() => stdout.includes("[update 1]"), "CLI update 1", 15000);
      expect(stdout).toContain(`J = ${expectedLoss(planar, { inputs: { X: [[1, 2, 3], [0.5, -1, 2]], Y: [[0, 1, 1]] } })}`);
    } finally {
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    }
    expect(child.exitCode === 0 || child.signalCode === "SIGINT").toBe(true);
  });
});
