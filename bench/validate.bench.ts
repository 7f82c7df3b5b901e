/**
 * `npm run bench:validate`: how graph validation (`parseGraph`: YAML, schema, ids, ops, cycles, shapes, and
 * the line of every issue) grows with the number of nodes. Four families of generated graphs at 10³, 10⁴ and
 * 10⁵ nodes:
 *
 * - chain: X → relu → relu → … → mean (every node reads the one before);
 * - fan-in: N relu nodes all reading X, summed pairwise by a tree of adds into one node;
 * - cycle at the end: a chain that, read from the loss back, ends in a cycle (its first two nodes read each
 *   other), so every node of the chain is stuck behind the cycle (the issue's quadratic case);
 * - errors: every node reads an id that is not defined (one issue per node, each with its line).
 *
 * The peer is the YAML library's own parse of the same text (`parseDocument`), which any validation must
 * pay: its growth is the floor. Every size of a family, ours and the peer, is timed in each of 5 interleaved
 * rounds (medians); the growth ratio is time(10N) / time(N). Linear validation grows about 10× per 10× nodes;
 * the target is ≤ 12×.
 * `--max N` stops at N nodes (default 100000); `--only <family>` runs one family. It takes about 10 minutes
 * on a quiet 2-core machine (the YAML parse of 10⁵ nodes takes seconds).
 */
import { parseDocument } from "yaml";
import { parseGraph } from "../src/graph/parseGraph.ts";
import { GradstreamError } from "../src/errors.ts";

const maxArg = process.argv.indexOf("--max");
const MAX = maxArg > 0 ? Number(process.argv[maxArg + 1]) : 100_000;
const SIZES = [1_000, 10_000, 100_000].filter((n) => n <= MAX);

const head = "gradstream: 1\nname: bench\ninputs:\n  X: { shape: [1, m] }\nnodes:\n";

const families: Record<string, (n: number) => string> = {
  chain(n) {
    const lines = [head, "  N0: { op: relu, in: [X] }\n"];
    for (let i = 1; i < n - 1; i++) lines.push(`  N${i}: { op: relu, in: [N${i - 1}] }\n`);
    lines.push(`  J: { op: mean, in: [N${n - 2}] }\n`, "loss: J\n");
    return lines.join("");
  },
  "fan-in"(n) {
    // n/2 leaves reading X, n/2 − 1 adds in a balanced tree, then a mean.
    const lines = [head];
    let level: string[] = [];
    for (let i = 0; i < n >> 1; i++) lines.push(`  R${i}: { op: relu, in: [X] }\n`), level.push(`R${i}`);
    let k = 0;
    while (level.length > 1) {
      const next: string[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) lines.push(`  S${k}: { op: add, in: [${level[i]}, ${level[i + 1]}] }\n`), next.push(`S${k++}`);
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
    }
    lines.push(`  M: { op: mean, in: [${level[0]}] }\n`, "  J: { op: sum, in: [M] }\nloss: J\n");
    return lines.join("");
  },
  "cycle at the end"(n) {
    const lines = [head, "  A: { op: add, in: [X, B] }\n  B: { op: relu, in: [A] }\n  N0: { op: relu, in: [B] }\n"];
    for (let i = 1; i < n - 3; i++) lines.push(`  N${i}: { op: relu, in: [N${i - 1}] }\n`);
    lines.push(`  J: { op: mean, in: [N${n - 4}] }\nloss: J\n`);
    return lines.join("");
  },
  errors(n) {
    const lines = [head];
    for (let i = 0; i < n - 1; i++) lines.push(`  N${i}: { op: relu, in: [Q${i}] }\n`);
    lines.push(`  J: { op: mean, in: [X] }\nloss: J\n`);
    return lines.join("");
  },
};

function validate(text: string): number {
  try {
    parseGraph(text, "yaml", "bench.yaml");
    return 0;
  } catch (e) {
    if (!(e instanceof GradstreamError)) throw e;
    return e.issues.length;
  }
}

/** Runs of each size per round: enough that a small graph's time is not one timer tick. */
const REPS: Record<number, number> = { 1_000: 10, 10_000: 2, 100_000: 1 };

/**
 * For one family: every size, ours and the peer, timed in interleaved rounds (each round runs every size, so
 * the sizes are measured in the same spells of load), after a warm-up of each. Median ms per run.
 */
function timeFamily(texts: string[], rounds: number): { ours: number; peer: number; issues: number }[] {
  const issues = texts.map((text) => validate(text));
  for (const text of texts) parseDocument(text);
  const ours = texts.map(() => [] as number[]), peer = texts.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    texts.forEach((text, k) => {
      const reps = REPS[SIZES[k]];
      let t = performance.now();
      for (let i = 0; i < reps; i++) validate(text);
      ours[k].push((performance.now() - t) / reps);
      t = performance.now();
      for (let i = 0; i < reps; i++) parseDocument(text, { uniqueKeys: false });
      peer[k].push((performance.now() - t) / reps);
    });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return texts.map((_, k) => ({ ours: median(ours[k]), peer: median(peer[k]), issues: issues[k] }));
}

const ROUNDS = 5;
console.log(`graph validation (parseGraph) vs the YAML parse alone; ${ROUNDS} interleaved rounds over all sizes, medians; growth = time(10N)/time(N)\n`);
console.log(["family".padEnd(18), "nodes".padStart(7), "issues".padStart(7), "validate ms".padStart(12), "yaml ms".padStart(9), "× yaml".padStart(7), "growth".padStart(7), "yaml growth".padStart(12)].join("  "));
const worst: number[] = [];
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
for (const [name, make] of Object.entries(families)) {
  if (only !== undefined && name !== only) continue;
  const timed = timeFamily(SIZES.map(make), ROUNDS);
  timed.forEach((t, k) => {
    const prev = timed[k - 1];
    const growth = prev ? t.ours / prev.ours : undefined;
    if (growth !== undefined) worst.push(growth);
    console.log([
      name.padEnd(18),
      String(SIZES[k]).padStart(7),
      String(t.issues).padStart(7),
      t.ours.toFixed(1).padStart(12),
      t.peer.toFixed(1).padStart(9),
      (t.ours / t.peer).toFixed(2).padStart(7),
      (growth === undefined ? "" : `${growth.toFixed(1)}×`).padStart(7),
      (prev ? `${(t.peer / prev.peer).toFixed(1)}×` : "").padStart(12),
    ].join("  "));
  });
}
console.log(`\nlargest growth for 10× nodes: ${Math.max(...worst).toFixed(1)}× (target ≤ 12×)`);
