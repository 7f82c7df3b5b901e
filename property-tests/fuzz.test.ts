/**
 * The fuzz suite in `npm test`: a few hundred mutated graphs, data files, CSVs and command lines run
 * through the command line in this process (main(), output captured), and a sample as real child
 * processes of the built CLI (exit status as the shell sees it, peak memory). Every outcome must pass
 * `assertOutcome` (fuzz.ts). `npm run fuzz -- --runs N` runs more and counts the outcomes.
 *
 * Then the assertion is shown able to fail: deliberately broken commands, run through the same
 * `runProgram` that maps a command's end to its exit status, and the same property, must be refuted.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { fuzzCase, writeCase, runInProcess, runInChild, assertOutcome, budgetOf, type FuzzCase, type Limits, type Outcome, type CasePaths } from "./fuzz.ts";
import { runProgram } from "../src/cli/main.ts";
import { GradstreamError } from "../src/errors.ts";

const root = mkdtempSync(join(tmpdir(), "gradstream-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let caseNumber = 0;
const folder = () => join(root, String(caseNumber++));

/**
 * Bounds: a case ends within 20 s (in this process; hangs and runaway loops, not speed: the median case
 * takes ~5 ms), and a CLI process peaks under its memory budget (`--max-memory`, default 1 GiB, which
 * counts tensors) plus 256 MiB for Node, the modules (~60 MiB resident) and what reading a file holds.
 */
const LIMITS: Limits = { maxMs: 20_000, maxRss: (c) => budgetOf(c) + 256 * 2 ** 20 };

/** The property: whatever the case, the outcome passes the assertion. `run` is the command line under test. */
function everyOutcomeAcceptable(run: (paths: CasePaths) => Promise<Outcome>, limits: Limits = LIMITS, cases: fc.Arbitrary<FuzzCase> = fuzzCase) {
  return fc.asyncProperty(cases, async (c) => {
    const paths = writeCase(c, folder());
    assertOutcome(c, paths, await run(paths), limits);
  });
}

describe("fuzz: mutated graphs, data files, CSVs and options", () => {
  it("in process: exit 0, 1 or 2, no stack trace, terminal-safe output, every message naming the file, within the time bound", async () => {
    await fc.assert(everyOutcomeAcceptable((p) => runInProcess(p)), { numRuns: 300 });
  }, 240_000);

  it("as child processes of the built CLI: the same, and the peak memory under the bound", async () => {
    await fc.assert(everyOutcomeAcceptable((p) => runInChild(p, LIMITS.maxMs)), { numRuns: 8 });
  }, 120_000);
});

// ---- the assertion can fail ------------------------------------------------------------------------------

/**
 * Runs each case's argv through `runProgram` with the command replaced by a broken one (same arguments
 * and options): what the assertion must refuse, produced the way a real command would produce it.
 */
function brokenCommand(action: (graphPath: string) => Promise<void> | void) {
  return (paths: CasePaths) =>
    runInProcess(paths, (argv) => {
      const broken = new Command(argv[0]).argument("<graph>").allowUnknownOption().allowExcessArguments().exitOverride().action(action);
      return runProgram(new Command("gradstream").exitOverride().addCommand(broken), argv);
    });
}

/** The property, refuted: fc.check must report a failure whose message matches `why`. */
async function expectRefuted(run: (paths: CasePaths) => Promise<Outcome>, why: RegExp, limits: Limits = LIMITS, numRuns = 300) {
  const details = await fc.check(everyOutcomeAcceptable(run, limits), { numRuns, seed: 7 });
  expect(details.failed).toBe(true);
  expect(String((details.errorInstance as Error)?.message)).toMatch(why);
}

describe("fuzz: the assertion refutes broken commands", () => {
  it("a command that throws a raw error (exit 3, stack trace)", async () => {
    await expectRefuted(
      brokenCommand(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'shape')");
      }),
      /^exit status 3: only 0, 1 and 2 are allowed/,
    );
  });

  it("a command that prints a stack trace, then exits 2 with a proper message", async () => {
    await expectRefuted(
      brokenCommand((graph) => {
        console.error(new Error("boom").stack);
        throw new GradstreamError("GRAPH_INVALID", { file: graph, message: "bad" });
      }),
      /^a stack trace or an internal error was printed/,
    );
  });

  it("a command that echoes the file's text raw", async () => {
    await expectRefuted(
      brokenCommand((graph) => void console.log(readFileSync(graph, "utf8"))),
      /^a character a terminal acts on was printed: U\+/,
    );
  });

  it("a command whose message does not name the file", async () => {
    await expectRefuted(
      brokenCommand(() => {
        throw new GradstreamError("DATA_INVALID", "a tensor has the wrong shape");
      }),
      /^a message that names no file of the case: a tensor has the wrong shape/,
    );
  });

  it("a command that takes longer than the bound", async () => {
    await expectRefuted(
      brokenCommand(async () => void (await new Promise((r) => setTimeout(r, 30)))),
      /^took \d+ ms, more than 10/,
      { ...LIMITS, maxMs: 10 },
      5,
    );
  });

  it("a real CLI process measured against a memory bound it cannot meet (20 MiB)", async () => {
    await expectRefuted((p) => runInChild(p, LIMITS.maxMs), /peak memory \d+ MiB, more than 20 MiB/, { ...LIMITS, maxRss: () => 20 * 2 ** 20 }, 3);
  }, 60_000);
});
