/**
 * Start-up of the command line as built (dist/bin/gradstream.js) against a bare `node -e 0` started the
 * same way: each command is a fresh process, the three are run in turns (so a slow spell of the shared
 * machine falls on all of them), and the figure is the median wall time over the rounds. Targets: `--version`
 * within 3× and `explain graphs/planar-tanh.yaml` within 4× of the bare start.
 *
 * @example
 * npm run bench:startup            # 21 rounds
 * npm run bench:startup -- 51      # more rounds
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../", import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin/gradstream.js", import.meta.url));
if (!existsSync(bin)) throw new Error("dist/ is not built: run `npm run build` first");

const rounds = Number(process.argv[2] ?? 21);
const commands: Record<string, { args: string[]; target?: number }> = {
  "node -e 0": { args: ["-e", "0"] },
  "gradstream --version": { args: [bin, "--version"], target: 3 },
  "gradstream explain graphs/planar-tanh.yaml": { args: [bin, "explain", "graphs/planar-tanh.yaml"], target: 4 },
  "gradstream grad graphs/planar-tanh.yaml": { args: [bin, "grad", "graphs/planar-tanh.yaml"] },
};
const names = Object.keys(commands);
const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));

const env = { ...process.env, NODE_OPTIONS: "" };
function timeOnce(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: repo, env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

for (const name of names) timeOnce(commands[name].args); // warm the file cache
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round, so no command always runs right after another.
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length];
    times[name].push(timeOnce(commands[name].args));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times["node -e 0"]);
console.log(`start-up, median of ${rounds} interleaved rounds (wall time, each a fresh process), node ${process.version}`);
console.log(`${"command".padEnd(46)} ${"median ms".padStart(10)} ${"min–max ms".padStart(14)} ${"× node -e 0".padStart(12)}  target`);
for (const name of names) {
  const t = times[name];
  const ratio = median(t) / base;
  const target = commands[name].target;
  const verdict = target === undefined ? "" : `≤ ${target}×  ${ratio <= target ? "met" : "NOT met"}`;
  console.log(`${name.padEnd(46)} ${median(t).toFixed(1).padStart(10)} ${`${Math.min(...t).toFixed(0)}–${Math.max(...t).toFixed(0)}`.padStart(14)} ${`${ratio.toFixed(2)}×`.padStart(12)}  ${verdict}`);
}
