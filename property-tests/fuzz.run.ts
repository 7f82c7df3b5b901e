/**
 * `npm run fuzz -- --runs N [--seed S [--path P]] [--child-every K]`: the fuzz property of fuzz.test.ts on N cases,
 * each through `main()` in this process, and one case in K (default 100) also as a child process of the
 * built CLI (exit status, peak memory). Prints the outcome counts (exit status per command), the time per
 * case, the largest peak memory seen, and, on a failure, fast-check's shrunk counterexample with its seed
 * to replay it. Exit status 0 when every case passed, 1 otherwise.
 *
 * @example
 * npm run fuzz -- --runs 10000
 */
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fuzzCase, writeCase, runInProcess, runInChild, assertOutcome, budgetOf, type Limits } from "./fuzz.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1000" }, seed: { type: "string" }, path: { type: "string" }, "child-every": { type: "string", default: "100" } } });
const runs = Number(values.runs);
const childEvery = Number(values["child-every"]);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(childEvery) || childEvery < 1 || !Number.isInteger(seed)) {
  console.error("usage: npm run fuzz -- [--runs N] [--seed S] [--child-every K]");
  process.exit(2);
}
const LIMITS: Limits = { maxMs: 20_000, maxRss: (c) => budgetOf(c) + 256 * 2 ** 20 };

const root = mkdtempSync(join(tmpdir(), "gradstream-fuzz-"));
const tally = new Map<string, number>();
const times: number[] = [];
let children = 0, peakRss = 0, done = 0, shrinking = false;
const started = performance.now();

const details = await fc.check(
  fc.asyncProperty(fuzzCase, async (c) => {
    const paths = writeCase(c, join(root, String(done % 1000)));
    const outcome = await runInProcess(paths);
    if (!shrinking) {
      const key = `${c.command} exit ${outcome.code}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      times.push(outcome.ms);
      if (++done % 1000 === 0) console.error(`… ${done} cases`);
    }
    try {
      assertOutcome(c, paths, outcome, LIMITS);
      if (done % childEvery === 0) {
        const child = await runInChild(paths, LIMITS.maxMs);
        children++;
        peakRss = Math.max(peakRss, child.peakRssBytes ?? 0);
        assertOutcome(c, paths, child, LIMITS);
        if (child.code !== outcome.code) throw new Error(`the child process exited ${child.code}, main() in this process ${outcome.code}`);
      }
    } catch (e) {
      shrinking = true;
      throw e;
    }
  }),
  { numRuns: runs, seed, path: values.path },
);
rmSync(root, { recursive: true, force: true });

const seconds = (performance.now() - started) / 1000;
const byStatus = [0, 1, 2, 3].map((code) => [...tally].filter(([k]) => k.endsWith(`exit ${code}`)).reduce((s, [, n]) => s + n, 0));
times.sort((a, b) => a - b);
console.log(`fuzz: ${done} cases (seed ${seed}) in ${seconds.toFixed(1)} s; ${children} also as child processes`);
console.log(`exit status: 0 × ${byStatus[0]}, 1 × ${byStatus[1]}, 2 × ${byStatus[2]}${byStatus[3] ? `, 3 × ${byStatus[3]}` : ""}`);
for (const command of ["run", "grad", "explain", "check", "render", "train", "split"]) {
  const counts = [0, 1, 2].map((code) => tally.get(`${command} exit ${code}`) ?? 0);
  console.log(`  ${command.padEnd(8)} 0 × ${counts[0]}, 1 × ${counts[1]}, 2 × ${counts[2]}`);
}
console.log(`time per case (in process): median ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms; largest peak RSS of a child: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
if (details.failed) {
  console.log(`\nFAILED after ${details.numRuns} cases (${details.numShrinks} shrinks): ${(details.errorInstance as Error)?.message ?? details.errorInstance}`);
  console.log(`replay: npm run fuzz -- --seed ${seed} --path ${details.counterexamplePath} --runs 1\n${fc.defaultReportMessage(details)}`);
  process.exit(1);
}
console.log("every case passed");
