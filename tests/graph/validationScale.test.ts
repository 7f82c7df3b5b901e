/**
 * Validation stays linear and says each thing once (issue 10): a 10⁴-node chain behind a cycle reports the
 * cycle once (it took 54 s, one cycle walk per stuck node), cycles of every kind are each reported once with a
 * path that is a real cycle, 10⁴ mistakes each get their own line (found once per file, not by a scan per
 * issue) and the message shows the first 50 and a count. Time is measured by `npm run bench:validate`.
 */
import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument, isNode } from "yaml";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { lineIndex } from "../../src/graph/lineIndex.ts";
import { stronglyConnected } from "../../src/graph/buildGraph.ts";
import { GradstreamError, MAX_ISSUES_SHOWN, formatIssue } from "../../src/errors.ts";
import { REPO } from "../helpers/runCli.ts";

const HEAD = "gradstream: 1\nname: big\ninputs:\n  X: { shape: [1, m] }\nnodes:\n";

function errorOf(text: string): GradstreamError {
  try {
    parseGraph(text, "yaml", "big.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    return e as GradstreamError;
  }
  throw new Error("expected the graph to be refused");
}

/** The ids a cycle message lists, checked to be a cycle of the file: each reads the one before it. */
function cycleOf(message: string, reads: Map<string, string[]>): string[] {
  const ids = /^cycle: (.*)$/.exec(message)![1].split(" → ");
  expect(ids[0]).toBe(ids[ids.length - 1]);
  for (let i = 1; i < ids.length; i++) expect(reads.get(ids[i]), `${ids[i]} reads ${ids[i - 1]}`).toContain(ids[i - 1]);
  return ids.slice(1);
}

describe("cycles", () => {
  it("a chain of 10⁴ nodes behind a cycle: the cycle is reported once, the chain not at all (regression)", () => {
    const lines = [HEAD, "  A: { op: add, in: [X, B] }\n  B: { op: relu, in: [A] }\n  N0: { op: relu, in: [B] }\n"];
    for (let i = 1; i < 10_000; i++) lines.push(`  N${i}: { op: relu, in: [N${i - 1}] }\n`);
    lines.push("  J: { op: mean, in: [N9999] }\nloss: J\n");
    const e = errorOf(lines.join(""));
    expect(e.issues.map(formatIssue)).toEqual(["big.yaml: node B: cycle: B → A → B (field 'in', line 7)"]);
  });

  it("several cycles, one node on two of them, nodes downstream: one issue per knot of cycles, each a real cycle", () => {
    const nodes: Record<string, string[]> = {
      P: ["X", "Q"], Q: ["P"], // a 2-cycle
      R: ["T"], S: ["R"], T: ["S", "U"], U: ["T"], // a 3-cycle and a 2-cycle sharing T: one knot
      D: ["Q", "S"], E: ["D"], // downstream of both: stuck, on no cycle
      J: ["E"],
    };
    const ops: Record<number, string> = { 1: "relu", 2: "add" };
    const text = HEAD + Object.entries(nodes).map(([id, ins]) => `  ${id}: { op: ${id === "J" ? "mean" : ops[ins.length]}, in: [${ins.join(", ")}] }\n`).join("") + "loss: J\n";
    const e = errorOf(text);
    const reads = new Map(Object.entries(nodes));
    const cycles = e.issues.map((i) => new Set(cycleOf(i.message, reads)));
    expect(cycles).toHaveLength(2);
    const knots = [new Set(["P", "Q"]), new Set(["R", "S", "T", "U"])];
    for (const c of cycles) expect(knots.some((k) => [...c].every((id) => k.has(id)))).toBe(true);
    expect(knots.every((k) => cycles.some((c) => [...c].every((id) => k.has(id))))).toBe(true);
  });

  it("stronglyConnected agrees with a from-scratch reachability check on random graphs", () => {
    // reference: u and v are in one component iff each reaches the other (a search from every node)
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + rand(30);
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const next = new Map(ids.map((id) => [id, Array.from({ length: rand(3) }, () => ids[rand(n)])]));
      const reach = (from: string) => {
        const seen = new Set([from]);
        const stack = [from];
        while (stack.length) for (const w of next.get(stack.pop()!)!) if (!seen.has(w)) seen.add(w), stack.push(w);
        return seen;
      };
      const reaches = new Map(ids.map((id) => [id, reach(id)]));
      const components = stronglyConnected(ids, (id) => next.get(id)!);
      expect(components.flat().sort()).toEqual([...ids].sort());
      const wrong = components.flatMap((c) => c.flatMap((u) => ids.filter((v) => c.includes(v) !== (reaches.get(u)!.has(v) && reaches.get(v)!.has(u))).map((v) => `${u} ~ ${v}`)));
      expect(wrong).toEqual([]);
    }
  });
});

describe("many issues", () => {
  const N = 10_000;
  const text = HEAD + Array.from({ length: N }, (_, i) => `  N${i}: { op: relu, in: [Q${i}] }\n`).join("") + "  J: { op: mean, in: [X] }\nloss: J\n";

  it("10⁴ undefined inputs: every one reported with its own line; the message shows 50 and counts the rest", () => {
    const e = errorOf(text);
    expect(e.issues).toHaveLength(N);
    e.issues.forEach((issue, i) => expect(issue).toEqual({ file: "big.yaml", node: `N${i}`, field: "in[0]", line: 6 + i, message: `input 'Q${i}' is not defined` }));
    const lines = e.message.split("\n");
    expect(lines).toHaveLength(MAX_ISSUES_SHOWN + 1);
    expect(lines[49]).toBe("big.yaml: node N49: input 'Q49' is not defined (field 'in[0]', line 55)");
    expect(lines[50]).toBe(`big.yaml: … and ${N - 50} more issues (${N} in all; fix these first)`);
  });
});

describe("lineIndex", () => {
  it("gives every path of every shipped graph the line the YAML library's own lookup gives", () => {
    for (const name of readdirSync(join(REPO, "graphs"))) {
      const counter = new LineCounter();
      const doc = parseDocument(readFileSync(join(REPO, "graphs", name), "utf8"), { lineCounter: counter });
      const lineOf = lineIndex(doc, counter);
      const paths: (string | number)[][] = [];
      const walk = (value: unknown, path: (string | number)[]) => {
        paths.push(path);
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
        else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      };
      walk(doc.toJS(), []);
      paths.push(["nodes", "no-such-node", "in"], ["params", "W1", "nothing"]);
      for (const path of paths) {
        let expected: number | undefined;
        for (let p = path.length; p >= 0 && expected === undefined; p--) {
          const node = doc.getIn(path.slice(0, p), true);
          if (isNode(node) && node.range) expected = counter.linePos(node.range[0]).line;
        }
        expect(lineOf(path), `${name} ${path.join(".")}`).toBe(expected);
      }
    }
  });
});
