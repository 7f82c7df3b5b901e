/**
 * `npm run bench:data`: the memory and time of reading big data files, each load in a child process of its
 * own (peak resident memory from the OS), in interleaved rounds (medians of time; the largest peak):
 *
 * - a 100 MB JSON data file (X [10, m] and Y [1, m], numbers at full precision, as `--json` prints them) read
 *   by `loadData` (streamed into tensors) and, as the peer, the way it was read before: the whole text,
 *   `JSON.parse`, then `bindData`;
 * - a 75 MB CSV (10 features and a label) read by `loadCsv` (streamed record by record); the peer is numpy's
 *   `loadtxt` when python3 with numpy is present (the CSV path before this ran out of heap after 4 minutes).
 *
 * The targets of issue 10: peak ≤ 6 × file size + 300 MB for JSON, ≤ 8 × file size + 300 MB for CSV. The
 * floor (Node, tsx and gradstream's imports, reading nothing) is printed too.
 * `--mb-json N --mb-csv N --rounds N` change the sizes and rounds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { createRng } from "../src/data/random.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const JSON_MB = arg("--mb-json", 100);
const CSV_MB = arg("--mb-csv", 75);
const ROUNDS = arg("--rounds", 3);
const LOADER = fileURLToPath(new URL("./dataLoad.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));

const dir = await mkdtemp(join(tmpdir(), "gradstream-bench-data-"));
const graphPath = join(dir, "logistic-10.yaml");
await writeFile(graphPath, "gradstream: 1\nname: logistic-10\ninputs:\n  X: { shape: [10, m] }\n  Y: { shape: [1, m] }\nparams:\n  W: { shape: [1, 10] }\n  b: { shape: [1, 1], init: zeros }\nnodes:\n  Z: { op: linear, in: [W, X, b] }\n  L: { op: bce_logits, in: [Z, Y] }\n  J: { op: mean, in: [L] }\nloss: J\n");

/** Writes `text()` pieces until the file has `mb` MB; returns its size. */
async function write(path: string, head: string, piece: () => string, tail: string, mb: number): Promise<number> {
  const out = createWriteStream(path);
  let size = 0;
  const put = async (s: string) => {
    size += s.length;
    if (!out.write(s)) await once(out, "drain");
  };
  await put(head);
  while (size < mb * 1e6 - tail.length) await put(piece());
  await put(tail);
  out.end();
  await once(out, "finish");
  return (await stat(path)).size;
}

const rng = createRng(1);
// JSON: m columns of X (10 rows) and Y, each number at full precision (about 18 bytes with its comma, as --json prints).
const m = Math.floor((JSON_MB * 1e6) / (11 * 18));
const jsonPath = join(dir, "data.json");
{
  const rows: string[] = [];
  for (let r = 0; r < 10; r++) rows.push("[" + Array.from({ length: m }, () => String(rng.normal())).join(",") + "]");
  await writeFile(jsonPath, `{"inputs": {"X": [${rows.join(",\n")}],\n"Y": [[${Array.from({ length: m }, () => (rng.next() < 0.5 ? 0 : 1)).join(",")}]]}}\n`);
}
const jsonSize = (await stat(jsonPath)).size;
const csvPath = join(dir, "data.csv");
const csvSize = await write(csvPath, "f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,label\n", () => Array.from({ length: 10 }, () => rng.normal().toPrecision(7)).join(",") + (rng.next() < 0.5 ? ",a\n" : ",b\n"), "", CSV_MB);

interface Load {
  ms: number;
  peakMB: number;
}
function load(how: string, file: string): Load {
  const out = execFileSync(process.execPath, [TSX, LOADER, how, file, graphPath], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split("\n").pop()!) as Load;
}
function numpy(file: string): Load | undefined {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = `import sys, time, resource\nimport numpy as np\nt = time.perf_counter()\nX = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, usecols=range(10))\nms = (time.perf_counter() - t) * 1000\nprint('{"ms": %f, "peakMB": %f}' % (ms, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))\n`;
  const r = spawnSync("python3", ["-c", script, file], { encoding: "utf8", env });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim()) as Load;
}

const cases: [string, () => Load | undefined][] = [
  ["floor (imports only)", () => load("none", jsonPath)],
  ["JSON loadData (streamed)", () => load("json", jsonPath)],
  ["JSON JSON.parse + bindData (before)", () => load("json-parse", jsonPath)],
  ["CSV loadCsv (streamed)", () => load("csv", csvPath)],
  ["CSV numpy.loadtxt (peer)", () => numpy(csvPath)],
];
const results = new Map<string, Load[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) for (const [name, run] of cases) {
  const r = run();
  if (r) results.get(name)!.push(r);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const MB = 1e6;
console.log(`JSON file ${(jsonSize / MB).toFixed(1)} MB (X [10,${m}], Y [1,${m}]: ${((11 * m * 8) / MB).toFixed(1)} MB of float64); CSV file ${(csvSize / MB).toFixed(1)} MB`);
console.log(`${ROUNDS} rounds, each load in its own process; time: median, peak: largest\n`);
console.log(["load".padEnd(38), "time ms".padStart(9), "peak MB".padStart(9)].join("  "));
for (const [name, rs] of results) {
  if (!rs.length) {
    console.log(`${name.padEnd(38)}  (not available here)`);
    continue;
  }
  console.log([name.padEnd(38), median(rs.map((r) => r.ms)).toFixed(0).padStart(9), Math.max(...rs.map((r) => r.peakMB)).toFixed(0).padStart(9)].join("  "));
}
const peak = (name: string) => Math.max(...results.get(name)!.map((r) => r.peakMB));
const time = (name: string) => median(results.get(name)!.map((r) => r.ms));
const jsonTarget = (6 * jsonSize) / MB + 300, csvTarget = (8 * csvSize) / MB + 300;
console.log(`\nJSON streamed: peak ${peak("JSON loadData (streamed)").toFixed(0)} MB for a ${(jsonSize / MB).toFixed(0)} MB file (target ≤ ${jsonTarget.toFixed(0)} MB); ${(peak("JSON loadData (streamed)") / peak("JSON JSON.parse + bindData (before)")).toFixed(2)}× the memory and ${(time("JSON loadData (streamed)") / time("JSON JSON.parse + bindData (before)")).toFixed(2)}× the time of JSON.parse`);
const np = results.get("CSV numpy.loadtxt (peer)")!;
console.log(`CSV streamed: peak ${peak("CSV loadCsv (streamed)").toFixed(0)} MB for a ${(csvSize / MB).toFixed(0)} MB file (target ≤ ${csvTarget.toFixed(0)} MB)${np.length ? `; ${(peak("CSV loadCsv (streamed)") / peak("CSV numpy.loadtxt (peer)")).toFixed(2)}× the memory and ${(time("CSV loadCsv (streamed)") / time("CSV numpy.loadtxt (peer)")).toFixed(2)}× the time of numpy.loadtxt` : ""}`);
await rm(dir, { recursive: true, force: true });
