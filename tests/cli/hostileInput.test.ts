/**
 * The command line on hostile input (issue 10), as built (`dist/bin/gradstream.js` in a child process):
 * exit statuses that survive a closed pipe, no stack trace and no exit 3 on the known crashes, text from
 * files that cannot drive the terminal, and warnings that do not change the status.
 */
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runCli } from "../helpers/runCli.ts";

const BIN = join(REPO, "dist/bin/gradstream.js");
const planar = readFileSync(join(REPO, "graphs/planar-tanh.yaml"), "utf8");
/** What a terminal acts on: C0 controls but newline, DEL, C1 controls, bidi controls. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const STACK_TRACE = /\n\s+at .+[:(]\d+/;

function scratch(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "gradstream-hostile-"));
  return Object.fromEntries(Object.entries(files).map(([name, text]) => (writeFileSync(join(dir, name), text), [name, join(dir, name)])));
}

/** Runs the CLI with its standard output closed before it writes anything: every write fails with EPIPE. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("a closed pipe keeps the exit status (`check … | head -1`)", () => {
  // regression: the EPIPE handler exited 0, so `check bad.yaml | head -1` passed in a pipeline with pipefail
  it("a failing check exits 1 when its output cannot be written", async () => {
    const r = await runWithClosedStdout(["check", "graphs/coupled-batchnorm.yaml", "--runs", "3", "--seed", "1", "--fd-coords", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^graphs\/coupled-batchnorm\.yaml: check failed: /);
  });

  it("a passing one exits 0, and bad input still exits 2", async () => {
    expect((await runWithClosedStdout(["check", "graphs/planar-tanh.yaml", "--runs", "2", "--seed", "1", "--fd-coords", "0"])).code).toBe(0);
    expect((await runWithClosedStdout(["run", "graphs/planar-tanh.yaml", "--data", "README.md"])).code).toBe(2);
  });
});

describe("known crashes: an exit status of 0, 1 or 2 and a message, never a stack trace", () => {
  // regression: "internal error … RangeError: tensor data has 0 elements", exit 3
  it("check on params initialised with uniform [-1e308, 1e308]: refused at the param, exit 2", async () => {
    const f = scratch({ "u.yaml": planar.replace("W1: { shape: [4, 2], init: { normal: 0.01 } }", "W1: { shape: [4, 2], init: { uniform: [-1e308, 1e308] } }") });
    for (const command of ["check", "run", "grad"]) {
      const r = await runCli([command, f["u.yaml"]]);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toBe(`${f["u.yaml"]}: node W1: uniform: hi − lo overflows float64; draws from it would be infinite (field 'init.uniform', line 10)\n`);
    }
  });

  it("check on data whose values overflow: the node is named, exit 1", async () => {
    const f = scratch({ "d.json": JSON.stringify({ inputs: { X: [[1e300, 2], [3, 4]], Y: [[1, 0]] }, params: { W1: [[1e300, 0], [0, 1], [1, 1], [0, 0]] } }) });
    const r = await runCli(["check", "graphs/planar-tanh.yaml", "--data", f["d.json"], "--runs", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^graphs\/planar-tanh\.yaml: node Z1: its value is Infinity at \[0\]\[0\] \(linear of W1, X, b1\): the numbers overflowed float64/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});

describe("text from files cannot drive the terminal", () => {
  // regression: a graph's name with ESC sequences cleared the screen and retitled the terminal
  const name = "evil\u001b]0;pwned\u0007\u001b[2J\u202eeman\nforged line";
  const f = scratch({ "evil.yaml": planar.replace("name: planar-tanh", `name: ${JSON.stringify(name)}`), "bad-op.yaml": planar.replace("op: tanh", 'op: "ta\\e[31mnh\\u202e"') });

  it.each([["run"], ["grad"], ["explain"], ["check", "--runs", "1", "--fd-coords", "0"]])("%s prints the name escaped", async (command, ...rest) => {
    const r = await runCli([command, f["evil.yaml"], ...rest]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("evil\\x1b]0;pwned\\x07\\x1b[2J\\u202eeman\\nforged line");
    expect(r.stdout + r.stderr).not.toMatch(TERMINAL_CONTROL);
  });

  it("--json keeps the name exact for a JSON reader, with the bidi control written as an escape", async () => {
    const r = await runCli(["run", f["evil.yaml"], "--json"]);
    expect(r.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(r.stdout).toContain('"graph":"evil\\u001b]0;pwned\\u0007\\u001b[2J\\u202eeman\\nforged line"');
    expect(JSON.parse(r.stdout).graph).toBe(name);
  });

  // regression (found by the fuzz suite): `render -o -` sent a tab and bidi controls from the file to the terminal
  it("render -o -: the SVG writes them as character references, the same text to a browser", async () => {
    const g = scratch({ "tab.yaml": planar.replace("name: planar-tanh", 'name: "a\tb\u202ec\rd"') });
    const r = await runCli(["render", g["tab.yaml"], "-o", "-"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("a&#x9;b&#x202e;c&#xd;d");
    expect(r.stdout).not.toMatch(TERMINAL_CONTROL);
  });

  it("an error quoting the file's text escapes it", async () => {
    const r = await runCli(["run", f["bad-op.yaml"]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown op 'ta\\x1b[31mnh\\u202e'");
    expect(r.stderr).not.toMatch(TERMINAL_CONTROL);
  });
});

describe("warnings", () => {
  it("an unused param and a node off the loss's path: warned on stderr, the command's output and status unchanged", async () => {
    const f = scratch({ "w.yaml": planar.replace("nodes:", "  U: { shape: [3, 3] }\nnodes:").replace("  J:  { op: mean, in: [L] }", "  J:  { op: mean, in: [L] }\n  D: { op: relu, in: [Z1] }") });
    const [warned, plain] = await Promise.all([runCli(["grad", f["w.yaml"], "--json"]), runCli(["grad", "graphs/planar-tanh.yaml", "--json"])]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe(
      `${f["w.yaml"]}: node U: warning: param 'U' is not read by any node: its gradient is 0 and training leaves it as initialised (line 14)\n` +
        `${f["w.yaml"]}: node D: warning: node 'D' does not reach the loss 'J': it is computed, but changes neither the loss nor any gradient (line 22)\n`,
    );
    expect(JSON.parse(warned.stdout).loss).toBe(JSON.parse(plain.stdout).loss);
  });
});
